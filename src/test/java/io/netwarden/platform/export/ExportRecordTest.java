package io.netwarden.platform.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.config.NetwardenConfig.Export.Format;
import io.netwarden.platform.lifecycle.NodeStarted;
import io.netwarden.platform.logging.LogLevelChanged;
import io.netwarden.proto.platform.v1.LogLevelChangedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ExportRecordTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void jsonRecordCarriesTheEventKeyAndHeaders() throws Exception {
        // Given
        NodeStarted event = new NodeStarted("n1", "i-1", List.of("agent"), "1.0");

        // When
        ProducerRecord<String, byte[]> record = KafkaExport.toRecord(event, "netwarden.platform.node-started", Format.json,
                JSON, "n1", "i-1", T);

        // Then
        assertEquals("netwarden.platform.node-started", record.topic());
        assertEquals("i-1", record.key());
        JsonNode value = JSON.readTree(record.value());
        assertEquals("n1", value.get("name").asText());
        assertEquals("agent", value.get("roles").get(0).asText());
        assertEquals("application/json", header(record, "content-type"));
        assertEquals("node-started", header(record, "netwarden-event"));
        assertEquals("2026-11-22T10:00:00Z", header(record, "netwarden-time"));
    }

    @Test
    void protobufRecordDecodesBackToTheEvent() throws Exception {
        // Given
        LogLevelChanged event = new LogLevelChanged("io.netwarden", "DEBUG", null, "n1");

        // When
        ProducerRecord<String, byte[]> record = KafkaExport.toRecord(event, "t", Format.protobuf, JSON, "n1", "i-1", T);

        // Then
        LogLevelChangedEvent decoded = LogLevelChangedEvent.parseFrom(record.value());
        assertEquals("io.netwarden", decoded.getLogger());
        assertEquals("DEBUG", decoded.getLevel());
        assertEquals("", decoded.getPrevious());
        assertEquals("application/x-protobuf; messageType=netwarden.platform.v1.LogLevelChangedEvent", header(record, "content-type"));
        assertEquals("io.netwarden", record.key());
    }

    /** An event type without a proto message. */
    record Plain(String id, String detail) implements DomainEvent {
        public String role() {
            return "test";
        }

        public String type() {
            return "plain";
        }

        public String key() {
            return id;
        }
    }

    @Test
    void eventsWithoutAProtoMessageFallBackToJson() throws Exception {
        ProducerRecord<String, byte[]> record = KafkaExport.toRecord(new Plain("k", "d"), "t", Format.protobuf, JSON, "n", "i", T);
        assertEquals("application/json", header(record, "content-type"));
        assertEquals("{\"id\":\"k\",\"detail\":\"d\"}", new String(record.value(), StandardCharsets.UTF_8));
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
