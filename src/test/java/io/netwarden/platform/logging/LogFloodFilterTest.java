package io.netwarden.platform.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogFloodFilterTest {

    private static LogRecord record(String logger, String pattern) {
        LogRecord r = new LogRecord(Level.SEVERE, pattern);
        r.setLoggerName(logger);
        return r;
    }

    @Test
    void oneMessagePatternPassesTwentyTimesAMinuteOthersAreNotHeldUp() {
        // Given
        LogFloodFilter filter = new LogFloodFilter();
        long before = LogFloodFilter.suppressed();

        // When: a library logs the same failure for every one of 500 requests
        int passed = 0;
        for (int i = 0; i < 500; i++) {
            passed += filter.isLoggable(record("io.grpc.flood", "failed to handle frame %s")) ? 1 : 0;
        }

        // Then
        assertEquals(LogFloodFilter.PER_WINDOW, passed);
        assertEquals(500 - LogFloodFilter.PER_WINDOW, LogFloodFilter.suppressed() - before);
        assertEquals(true, filter.isLoggable(record("io.grpc.flood", "another pattern")));
        assertEquals(true, filter.isLoggable(record("io.netwarden.other", "failed to handle frame %s")));
    }

    @Test
    void theNoteOfDroppedLinesKeepsAPrintfRecordsArguments() {
        // Given: a flood of one printf pattern past a window's share
        long[] now = {0};
        LogFloodFilter filter = new LogFloodFilter(() -> now[0]);
        for (int i = 0; i < LogFloodFilter.PER_WINDOW + 5; i++) {
            filter.isLoggable(printf("service registered: usn=%s tag=%s", "uuid:" + i, "Media"));
        }

        // When: the next window's first record passes
        now[0] += LogFloodFilter.WINDOW_NANOS + 1;
        org.jboss.logmanager.ExtLogRecord next = printf("service registered: usn=%s tag=%s", "uuid:next", "Media");
        assertEquals(true, filter.isLoggable(next));

        // Then: it is formatted with its own arguments, and says how many were dropped
        assertEquals("service registered: usn=uuid:next tag=Media [5 more like this were dropped in the last minute]",
                next.getFormattedMessage());
    }

    private static org.jboss.logmanager.ExtLogRecord printf(String pattern, Object... args) {
        org.jboss.logmanager.ExtLogRecord r = new org.jboss.logmanager.ExtLogRecord(org.jboss.logmanager.Level.INFO, pattern,
                org.jboss.logmanager.ExtLogRecord.FormatStyle.PRINTF, "test");
        r.setParameters(args);
        r.setLoggerName("io.netwarden.registry");
        return r;
    }
}
