package io.netwarden.platform.messaging.durable;

/** A message could not be stored: the broker or database did not take it. Nothing was stored; retry later. */
public class DeliveryUnavailableException extends RuntimeException {

    public DeliveryUnavailableException(String message) {
        super(message);
    }
}
