package io.netwarden.platform.messaging.mqtt;

/** The MQTT broker could not be reached, or did not confirm a publish in time. */
public class MqttUnavailableException extends RuntimeException {

    public MqttUnavailableException(String message) {
        super(message);
    }
}
