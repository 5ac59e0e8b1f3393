package io.netwarden.platform.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps anyone who can make the server log a line per request — a malformed frame that a library logs with its stack
 * trace, say — from filling the disk or drowning the lines that matter: of records with the same logger and message
 * pattern, at most {@link #PER_WINDOW} pass per {@link #WINDOW_NANOS}; the rest are dropped and counted
 * ({@link #suppressed()}). The first record of a new window says how many were dropped in the last one.
 *
 * <p>Thread safety: the per-pattern windows live in a bounded LRU map guarded by its own monitor; the counter is atomic.
 */
@LoggingFilter(name = "netwarden-flood")
public final class LogFloodFilter implements Filter {

    static final int PER_WINDOW = 20;
    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int PATTERNS = 1000;
    private static final AtomicLong SUPPRESSED = new AtomicLong();

    private final java.util.function.LongSupplier nanos;

    public LogFloodFilter() {
        this(System::nanoTime);
    }

    /** With a clock of its own, for tests. */
    LogFloodFilter(java.util.function.LongSupplier nanos) {
        this.nanos = nanos;
    }

    private final Map<String, Window> windows = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > PATTERNS;
        }
    };

    private static final class Window {
        long start;
        int passed;
        int dropped;
    }

    /** Records dropped since start, over all patterns. */
    public static long suppressed() {
        return SUPPRESSED.get();
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        String key = record.getLoggerName() + "|" + record.getMessage();
        long now = nanos.getAsLong();
        int droppedBefore;
        synchronized (windows) {
            Window window = windows.computeIfAbsent(key, k -> new Window());
            if (window.passed == 0 && window.dropped == 0 || now - window.start > WINDOW_NANOS) {
                droppedBefore = window.dropped;
                window.start = now;
                window.passed = 0;
                window.dropped = 0;
            } else {
                droppedBefore = 0;
            }
            if (window.passed >= PER_WINDOW) {
                window.dropped++;
                SUPPRESSED.incrementAndGet();
                return false;
            }
            window.passed++;
        }
        if (droppedBefore > 0) {
            String told = record.getMessage() + " [" + droppedBefore + " more like this were dropped in the last minute]";
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(told, ext.getFormatStyle()); // the plain setter would turn a printf pattern into MessageFormat
            } else {
                record.setMessage(told);
            }
        }
        return true;
    }
}
