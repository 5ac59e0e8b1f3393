package io.netwarden.registry.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netwarden.platform.messaging.BusMessage;
import io.netwarden.platform.messaging.LocalBus;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.MessagingUnavailableException;
import io.netwarden.testing.Deadline;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final String USN = "uuid:1b2c3d4e-0000-1000-8000-00a0c91e6bf6::urn:schemas-upnp-org:device:MediaServer:1";

    private final LocalBus bus = new LocalBus();

    @AfterEach
    void close() {
        bus.stop(Duration.ofSeconds(1));
    }

    private List<BusMessage> heard(String filter) {
        List<BusMessage> heard = new CopyOnWriteArrayList<>();
        bus.subscribe(filter, Optional.empty(), heard::add);
        return heard;
    }

    @Test
    void eachEventGoesOutOnTheInstancesSubjectWithItsTypeAndFields() throws Exception {
        List<BusMessage> heard = heard("registry.events.>");
        Announcements announcements = new Announcements(bus, JSON, "lan-a");

        announcements.accept(new ServiceRegistered(USN, "urn:schemas-upnp-org:device:MediaServer:1", "Media",
                "http://10.1.0.5:8200/rootDesc.xml", "lan-a", AT));
        announcements.accept(new ServiceDeregistered(USN, "urn:schemas-upnp-org:device:MediaServer:1", "Media", "byebye",
                AT.plusSeconds(5)));

        Deadline.await("two announcements", Duration.ofSeconds(5), () -> heard, list -> list.size() == 2);
        assertEquals("registry.events.lan-a", heard.get(0).subject());
        JsonNode registered = JSON.readTree(heard.get(0).data());
        assertEquals("service-registered", registered.path("type").asText());
        assertEquals("lan-a", registered.path("instance").asText());
        assertEquals(USN, registered.path("usn").asText());
        assertEquals("Media", registered.path("tag").asText());
        assertEquals("http://10.1.0.5:8200/rootDesc.xml", registered.path("location").asText());
        assertEquals("2026-12-01T10:00:00Z", registered.path("at").asText());
        JsonNode deregistered = JSON.readTree(heard.get(1).data());
        assertEquals("service-deregistered", deregistered.path("type").asText());
        assertEquals("byebye", deregistered.path("reason").asText());
        assertEquals(0, announcements.lost());
    }

    @Test
    void anInstanceNameThatIsNoSubjectTokenIsMadeOne() {
        assertEquals("registry.events.site-1_example_net", new Announcements(bus, JSON, "site-1.example.net").subject());
        assertEquals("registry.events.a_b__c", new Announcements(bus, JSON, "a b*>c").subject());
        assertEquals(16 + 64, new Announcements(bus, JSON, "x".repeat(300)).subject().length());
        assertEquals("registry.events.lan-a", Announcements.PREFIX + Announcements.token("lan-a"));
    }

    @Test
    void aBusThatCannotPublishLosesTheAnnouncementOnlyAndCountsIt() {
        Messaging down = (Messaging) Proxy.newProxyInstance(Messaging.class.getClassLoader(), new Class<?>[] {Messaging.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("publish")) {
                        throw new MessagingUnavailableException("NATS is not connected");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        Announcements announcements = new Announcements(down, JSON, "lan-a");
        for (int i = 0; i < 3; i++) {
            announcements.accept(new ServiceUpdated(USN, "urn:schemas-upnp-org:device:MediaServer:1", "Media",
                    "http://10.1.0.5:8200/rootDesc.xml", "lan-a", AT));
        }
        assertEquals(3, announcements.lost());
        assertTrue(announcements.subject().endsWith(".lan-a"));
    }
}
