package io.netwarden.platform.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.config.NetwardenConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Forwards every {@link DomainEvent} to Kafka when {@code kafka.bootstrap.servers} is set; does nothing otherwise (no
 * client is created, nothing connects).
 *
 * <pre>
 *   CDI event (after the firing transaction commits) ─▶ single export thread ─▶ KafkaProducer (acks=all, idempotent)
 *                                                        topic &lt;prefix&gt;.&lt;role&gt;.&lt;type&gt;, key = entity id
 * </pre>
 *
 * Thread safety: observers only hand the event to one single-threaded executor, so the firing thread never blocks on
 * Kafka and events leave in the order they were fired. The producer itself is thread-safe.
 */
@ApplicationScoped
public class KafkaExport {

    private static final Logger LOG = Logger.getLogger(KafkaExport.class);
    static final String BOOTSTRAP = "kafka.bootstrap.servers";

    @Inject
    NetwardenConfig config;

    @Inject
    NodeIdentity node;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    Config rawConfig;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private volatile Optional<String> bootstrap;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile Admin admin;
    private ExecutorService sender;
    private Counter exported;
    private Counter failed;
    private volatile Probe lastProbe = new Probe(false, "not checked yet", Instant.EPOCH);

    record Probe(boolean up, String detail, Instant at) {
    }

    /** Whether export is configured at all. */
    public boolean enabled() {
        return bootstrapServers().isPresent();
    }

    /** Read once: configuration does not change while the process runs, and every domain event asks. */
    Optional<String> bootstrapServers() {
        Optional<String> servers = bootstrap;
        if (servers == null) {
            servers = rawConfig.getOptionalValue(BOOTSTRAP, String.class).filter(s -> !s.isBlank());
            bootstrap = servers;
        }
        return servers;
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = clientConfig();
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "netwarden-export-" + node.name());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            sender = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("kafka-export").daemon().factory());
            exported = Counter.builder("netwarden.export.events").tag("outcome", "sent").register(metrics);
            failed = Counter.builder("netwarden.export.events").tag("outcome", "failed").register(metrics);
            LOG.infof("exporting domain events to Kafka at %s as %s", bootstrapServers().orElseThrow(), config.export().format());
        }
        return producer;
    }

    /** The {@code kafka.*} settings (Quarkus' default-kafka-broker map) with the bootstrap servers. */
    private Map<String, Object> clientConfig() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers().orElseThrow());
        return props;
    }

    void onEvent(@Observes(during = TransactionPhase.AFTER_SUCCESS) DomainEvent event) {
        if (!enabled()) {
            return;
        }
        KafkaProducer<String, byte[]> kafka = producer();
        ProducerRecord<String, byte[]> record;
        try {
            record = toRecord(event);
        } catch (JsonProcessingException e) {
            failed.increment();
            LOG.errorf(e, "cannot serialise %s event %s for export", event.type(), event.key());
            return;
        }
        sender.execute(() -> kafka.send(record, (metadata, error) -> {
            if (error == null) {
                exported.increment();
                LOG.debugf("exported %s %s to %s-%d@%d", event.type(), event.key(), metadata.topic(), metadata.partition(),
                        metadata.offset());
            } else {
                failed.increment();
                LOG.warnf("export of %s %s to %s failed: %s", event.type(), event.key(), record.topic(), error.getMessage());
            }
        }));
    }

    /** The topic an event goes to: {@code <prefix>.<role>.<type>}. */
    public String topicOf(DomainEvent event) {
        return config.export().topicPrefix() + "." + event.role() + "." + event.type();
    }

    ProducerRecord<String, byte[]> toRecord(DomainEvent event) throws JsonProcessingException {
        return toRecord(event, topicOf(event), config.export().format(), json, node.name(), node.instance(), Instant.now());
    }

    /**
     * The Kafka record of an event: value in the requested format (JSON when the event has no proto message), key =
     * entity id, headers naming the event, the node, the instance, the time and the content type.
     */
    static ProducerRecord<String, byte[]> toRecord(DomainEvent event, String topic, NetwardenConfig.Export.Format format,
            ObjectMapper json, String nodeName, String instance, Instant time) throws JsonProcessingException {
        RecordHeaders headers = new RecordHeaders();
        byte[] value;
        Optional<com.google.protobuf.Message> proto = format == NetwardenConfig.Export.Format.protobuf
                ? event.toProto() : Optional.empty();
        if (proto.isPresent()) {
            value = proto.get().toByteArray();
            headers.add("content-type", ("application/x-protobuf; messageType="
                    + proto.get().getDescriptorForType().getFullName()).getBytes(StandardCharsets.UTF_8));
        } else {
            value = json.writeValueAsBytes(event);
            headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        }
        headers.add("netwarden-event", event.type().getBytes(StandardCharsets.UTF_8));
        headers.add("netwarden-node", nodeName.getBytes(StandardCharsets.UTF_8));
        headers.add("netwarden-instance", instance.getBytes(StandardCharsets.UTF_8));
        headers.add("netwarden-time", time.toString().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, event.key(), value, headers);
    }

    /**
     * Whether the brokers answer; cached for a few seconds so health probes do not hammer them.
     */
    Probe probe() {
        Probe last = lastProbe;
        if (Duration.between(last.at(), Instant.now()).compareTo(Duration.ofSeconds(5)) < 0) {
            return last;
        }
        Probe next;
        try {
            int brokers = admin().describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                    .get(4, TimeUnit.SECONDS).size();
            next = new Probe(brokers > 0, brokers + " broker(s) reachable", Instant.now());
        } catch (Exception e) {
            next = new Probe(false, "brokers not reachable: " + e.getClass().getSimpleName(), Instant.now());
        }
        lastProbe = next;
        return next;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = clientConfig();
            props.keySet().retainAll(AdminClientConfig.configNames());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "netwarden-export-health-" + node.name());
            admin = Admin.create(props);
        }
        return admin;
    }

    synchronized void onStop(@Observes @Priority(100) ShutdownEvent event) {
        if (sender != null) {
            sender.shutdown();
            try {
                sender.awaitTermination(config.shutdown().drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(config.shutdown().drainTimeout());
            producer = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
