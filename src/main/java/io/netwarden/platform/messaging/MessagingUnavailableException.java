package io.netwarden.platform.messaging;

/** The bus cannot take messages right now (NATS not reached yet); the caller may retry later. */
public class MessagingUnavailableException extends RuntimeException {

    public MessagingUnavailableException(String message) {
        super(message);
    }
}
