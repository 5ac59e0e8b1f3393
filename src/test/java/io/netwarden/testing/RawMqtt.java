package io.netwarden.testing;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain MQTT client for tests, in the role of a peer (an Oakestra node or cluster): blocking connect, subscribe and
 * publish; what arrives is queued as {@code topic payload}.
 */
public final class RawMqtt implements AutoCloseable {

    /** A message as it arrived. */
    public record Message(String topic, String payload) {
    }

    private final MqttClient client;
    public final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

    public RawMqtt(Vertx vertx, String clientId) throws Exception {
        client = MqttClient.create(vertx, new MqttClientOptions().setClientId(clientId).setMaxMessageSize(8 * 1024 * 1024)
                .setMaxInflightQueue(1000));
        client.publishHandler(m -> received.add(new Message(m.topicName(), m.payload().toString(StandardCharsets.UTF_8))));
        URI broker = URI.create(TestEnv.mqttUrl());
        client.connect(broker.getPort(), broker.getHost()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public RawMqtt subscribe(String filter) throws Exception {
        client.subscribe(filter, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return this;
    }

    public void publish(String topic, byte[] payload) throws Exception {
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Publishes at QoS 0: no PUBACK to wait for, so a flood is not held to the client's 1,000 unconfirmed messages. */
    public void publishAtMostOnce(String topic, byte[] payload) throws Exception {
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_MOST_ONCE, false, false).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Publishes a message the broker keeps for every later subscriber (an empty one clears it). */
    public void publishRetained(String topic, byte[] payload) throws Exception {
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, true).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public void publish(String topic, String payload) throws Exception {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The next message, or null after {@code millis}. */
    public Message next(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        if (client.isConnected()) {
            client.disconnect().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }
}
