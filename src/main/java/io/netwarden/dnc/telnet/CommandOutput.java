package io.netwarden.dnc.telnet;

import java.util.Objects;

/** What one command printed, without its echo and without the prompt that followed. */
public record CommandOutput(String command, String output) {

    public CommandOutput {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(output, "output");
    }
}
