package io.netwarden.platform.messaging;

/** A request found no subscriber on its subject. */
public class NoRespondersException extends RuntimeException {

    public NoRespondersException(String subject) {
        super("no responders on subject " + subject);
    }
}
