package io.netwarden.dnc.telnet;

import java.util.List;

/** The agent's narrow view of telnet: run command lines on an element, in order, and get what each printed. */
public interface TelnetRunner extends AutoCloseable {

    List<CommandOutput> run(TelnetTarget target, List<String> commands) throws TelnetException;

    @Override
    void close();
}
