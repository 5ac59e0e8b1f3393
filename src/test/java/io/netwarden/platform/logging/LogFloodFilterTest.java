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
}
