package io.netwarden.netmanager.linux;

/** A Linux networking command failed: the message names the command and what it answered. */
public class LinuxNetException extends RuntimeException {

    public LinuxNetException(String message) {
        super(message);
    }
}
