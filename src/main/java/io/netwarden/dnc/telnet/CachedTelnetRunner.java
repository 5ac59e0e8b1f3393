package io.netwarden.dnc.telnet;

import io.netwarden.dnc.HostResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One telnet session per element and login, reused across jobs.
 *
 * <pre>
 *   job ─▶ slot(element) ─lock─▶ session alive? ─no─▶ connect + log in
 *                                      └─yes─▶ run commands in order ─▶ unlock
 *   sweeper (every 10 s): close sessions idle longer than idle-timeout (only ones nobody holds)
 * </pre>
 *
 * A session that failed in any way other than a command error is closed and opened afresh next time. A reused
 * session found dead on the first command is reopened once and that command retried (it cannot have run).
 *
 * <p>Thread safety: slots live in a concurrent map; each slot's fair lock serialises the commands sent to its element;
 * a slot's session field is only touched while holding that lock.
 */
public final class CachedTelnetRunner implements TelnetRunner {

    private static final Logger LOG = Logger.getLogger(CachedTelnetRunner.class);
    private final HostResolver resolver;
    /** Error patterns look at no more of a line than this. */
    static final int MAX_MATCHED_LINE = 4096;

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock(true);
        TelnetSession session;
    }

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final ScheduledExecutorService sweeper;

    public CachedTelnetRunner(Duration idleTimeout) {
        this(idleTimeout, HostResolver.system());
    }

    /** {@code resolver}: how element addresses become IP addresses (host names are looked up here, at run time). */
    public CachedTelnetRunner(Duration idleTimeout, HostResolver resolver) {
        this.idleTimeout = idleTimeout;
        this.resolver = resolver;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("telnet-idle-sweeper").daemon().factory());
        sweeper.scheduleWithFixedDelay(this::closeIdle, 10, 10, TimeUnit.SECONDS);
    }

    @Override
    public List<CommandOutput> run(TelnetTarget target, List<String> commands, java.time.Instant notAfter) throws TelnetException {
        Slot slot = slots.computeIfAbsent(target.sessionKey(), k -> new Slot());
        slot.lock.lock();
        try {
            boolean reused = slot.session != null && slot.session.alive();
            if (!reused) {
                closeQuietly(slot);
                slot.session = TelnetSession.open(target, resolver);
            }
            List<CommandOutput> outputs = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                if (java.time.Instant.now().isAfter(notAfter)) {
                    throw new PartialTelnetException("lease_expired", "the lock on " + target.element() + " ran out before '"
                            + commands.get(i) + "'; " + (commands.size() - i) + " command(s) not sent", outputs);
                }
                CommandOutput output;
                try {
                    output = slot.session.run(commands.get(i));
                } catch (TelnetException e) {
                    if (i == 0 && reused && "io_error".equals(e.code())) {
                        LOG.debugf("telnet session to %s was dead; reconnecting", target.element());
                        closeQuietly(slot);
                        slot.session = TelnetSession.open(target, resolver);
                        reused = false;
                        output = slot.session.run(commands.get(i));
                    } else {
                        throw e;
                    }
                }
                outputs.add(output);
                checkErrors(target, output, outputs);
            }
            return outputs;
        } catch (TelnetException e) {
            if (!"command_error".equals(e.code())) {
                closeQuietly(slot);
            }
            throw e;
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * Error patterns are matched line by line, and only against the first {@link #MAX_MATCHED_LINE} characters of a
     * line: the cost stays linear in the output whatever a pattern looks like or a device prints.
     */
    private static void checkErrors(TelnetTarget target, CommandOutput output, List<CommandOutput> sofar) throws TelnetException {
        List<java.util.regex.Pattern> patterns = target.profile().errors();
        if (patterns.isEmpty()) {
            return;
        }
        String text = output.output();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, Math.min(end, start + MAX_MATCHED_LINE));
            for (var pattern : patterns) {
                var m = pattern.matcher(line);
                if (m.find()) {
                    String found = m.group().strip();
                    throw new PartialTelnetException("command_error", "'" + output.command() + "' failed on " + target.element()
                            + ": " + (found.length() > 200 ? found.substring(0, 200) + "…" : found), sofar);
                }
            }
            start = end + 1;
        }
    }

    /** A command error, with the outputs of the commands up to and including the failing one. */
    public static final class PartialTelnetException extends TelnetException {
        private final List<CommandOutput> outputs;

        PartialTelnetException(String code, String message, List<CommandOutput> outputs) {
            super(code, message);
            this.outputs = List.copyOf(outputs);
        }

        public List<CommandOutput> outputs() {
            return outputs;
        }
    }

    private void closeIdle() {
        slots.forEach((key, slot) -> {
            if (slot.lock.tryLock()) {
                try {
                    if (slot.session != null && slot.session.idleNanos() > idleTimeout.toNanos()) {
                        closeQuietly(slot);
                    }
                } finally {
                    slot.lock.unlock();
                }
            }
        });
    }

    private static void closeQuietly(Slot slot) {
        if (slot.session != null) {
            slot.session.close();
            slot.session = null;
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        slots.values().forEach(slot -> {
            slot.lock.lock();
            try {
                closeQuietly(slot);
            } finally {
                slot.lock.unlock();
            }
        });
    }
}
