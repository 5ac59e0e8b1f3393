package io.netwarden.dnc.telnet;

import java.util.List;

/** The agent's narrow view of telnet: run command lines on an element, in order, and get what each printed. */
public interface TelnetRunner extends AutoCloseable {

    default List<CommandOutput> run(TelnetTarget target, List<String> commands) throws TelnetException {
        return run(target, commands, java.time.Instant.MAX);
    }

    /**
     * Like {@link #run(TelnetTarget, List)}, but no command starts after {@code notAfter} ({@code lease_expired}): a
     * provision holding a time-limited lock must not touch the element once another may hold it.
     */
    List<CommandOutput> run(TelnetTarget target, List<String> commands, java.time.Instant notAfter) throws TelnetException;

    @Override
    void close();
}
