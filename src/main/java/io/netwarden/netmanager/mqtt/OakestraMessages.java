package io.netwarden.netmanager.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.platform.messaging.mqtt.MqttLink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Sending Oakestra's JSON messages on an {@link MqttLink}, for the node and the cluster alike: the body written once,
 * a message that could not go out logged with what happens to it then. Stateless.
 */
public final class OakestraMessages {

    private static final Logger LOG = Logger.getLogger(OakestraMessages.class);

    private OakestraMessages() {
    }

    /**
     * Publishes {@code body} on {@code topic}; when it does not reach the broker, logs it with {@code otherwise} (what
     * makes up for it). The future ends as the publish does.
     */
    public static CompletableFuture<Void> send(MqttLink link, String topic, ObjectNode body, String otherwise) {
        return link.publish(topic, body.toString().getBytes(StandardCharsets.UTF_8)).whenComplete((done, failed) -> {
            if (failed != null) {
                LOG.warnf("netmanager: %s not sent (%s); %s", topic, failed.getMessage(), otherwise);
            }
        });
    }
}
