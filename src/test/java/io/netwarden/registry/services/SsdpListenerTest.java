package io.netwarden.registry.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.registry.description.DeviceDescriptions;
import io.netwarden.registry.description.FakeDescriptionSource;
import io.netwarden.registry.ssdp.DropReason;
import io.netwarden.registry.ssdp.SsdpMetrics;
import io.netwarden.registry.ssdp.SsdpSocket;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import io.netwarden.testing.Deadline;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener's logic on a fake socket and the real database: what it reads, counts, registers and searches for. */
@QuarkusTest
class SsdpListenerTest {

    @Inject
    ActiveDatabase database;

    /** Datagrams queued by the test; searches recorded. */
    static final class FakeSocket implements SsdpSocket {
        final BlockingQueue<Datagram> in = new LinkedBlockingQueue<>();
        final List<String> searches = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public Datagram receive() throws IOException {
            try {
                Datagram next = in.take();
                if (closed || next.length() < 0) {
                    throw new ClosedChannelException();
                }
                return next;
            } catch (InterruptedException e) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public void search(byte[] packet) {
            searches.add(new String(packet, StandardCharsets.US_ASCII));
        }

        @Override
        public List<String> interfaces() {
            return List.of("fake0");
        }

        @Override
        public void close() {
            closed = true;
            in.add(new Datagram(new byte[0], -1, InetAddress.ofLiteral("0.0.0.0")));
        }
    }

    private final FakeSocket socket = new FakeSocket();
    private final SearchTerms whitelist = new SearchTerms();
    private final FakeDescriptionSource descriptions = new FakeDescriptionSource();
    private final SsdpMetrics metrics = new SsdpMetrics(new SimpleMeterRegistry());
    private DatabaseServiceStore store;
    private SsdpListener listener;
    private String urn;

    @BeforeEach
    void start() {
        urn = "urn:netwarden-test:device:Heard" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        whitelist.put(new SearchTerm(urn, "Heard"));
        store = new DatabaseServiceStore(database.dataSource(), 100_000, 1_000);
        Registrations registrations = new Registrations(store, whitelist, new DeviceDescriptions(descriptions, (o, t) -> {
        }), "listener-test", Clock.systemUTC(), e -> {
        });
        listener = new SsdpListener(socket, registrations, whitelist, metrics, Duration.ofHours(1), Duration.ofMillis(100),
                "Linux UPnP/1.1 Netwarden/test", Clock.systemUTC());
        listener.start();
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    private void arrives(String text, String from) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        socket.in.add(new SsdpSocket.Datagram(bytes, bytes.length, InetAddress.ofLiteral(from)));
    }

    private String alive(String nt, String usn, String host) {
        return "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://" + host
                + ":8080/d.xml\r\nNT: " + nt + "\r\nNTS: ssdp:alive\r\nUSN: " + usn + "\r\n\r\n";
    }

    @Test
    void itSearchesForEachWhitelistedUrnAtStart() {
        Deadline.await("a search for the URN", Duration.ofSeconds(5), () -> List.copyOf(socket.searches),
                s -> s.stream().anyMatch(p -> p.contains("\r\nST: " + urn + "\r\n")));
        String search = socket.searches.stream().filter(p -> p.contains(urn)).findFirst().orElseThrow();
        assertTrue(search.startsWith("M-SEARCH * HTTP/1.1\r\n"), search);
        assertTrue(search.contains("MAN: \"ssdp:discover\"\r\n") && search.contains("MX: 2\r\n"), search);
    }

    @Test
    void whatArrivesIsRegisteredOrCountedByWhyItWasDropped() {
        String usn = "uuid:" + UUID.randomUUID() + "::" + urn;
        double acceptedBefore = metrics.acceptedCount();

        arrives(alive(urn, usn, "192.0.2.30"), "192.0.2.30");
        arrives(alive(urn, "uuid:x::" + urn, "192.0.2.31"), "192.0.2.66"); // points at another host
        arrives(alive("upnp:rootdevice", "uuid:x::upnp:rootdevice", "192.0.2.30"), "192.0.2.30");
        arrives("\u0000\u0001binary", "192.0.2.30");
        arrives("M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n", "192.0.2.40");
        arrives(alive(urn, "uuid:y::" + urn, "127.0.0.1"), "127.0.0.1"); // no device advertises from loopback

        Deadline.await("the service registered", Duration.ofSeconds(5), () -> store.find(usn), found -> found.isPresent());
        Deadline.await("all five counted", Duration.ofSeconds(5), () -> metrics.droppedCount(DropReason.SEARCH_REQUEST),
                n -> n >= 1);
        assertEquals(acceptedBefore + 1, metrics.acceptedCount());
        assertEquals(1, metrics.droppedCount(DropReason.FOREIGN_LOCATION));
        assertEquals(1, metrics.droppedCount(DropReason.NOT_WHITELISTED));
        assertEquals(1, metrics.droppedCount(DropReason.NOT_TEXT));
        Deadline.await("the loopback one counted", Duration.ofSeconds(5), () -> metrics.droppedCount(DropReason.BAD_SOURCE),
                n -> n == 1);
        assertTrue(store.find("uuid:x::" + urn).isEmpty(), "nothing registered from the foreign LOCATION");
    }

    @Test
    void anAdvertisementWhoseDescriptionFailsIsCountedByWhyAndRegistersNothing() {
        // Given
        String usn = "uuid:" + UUID.randomUUID() + "::" + urn;
        descriptions.fail(java.net.URI.create("http://192.0.2.32:8080/d.xml"), DropReason.DESCRIPTION_TOO_LARGE);

        // When
        arrives(alive(urn, usn, "192.0.2.32"), "192.0.2.32");

        // Then
        Deadline.await("the drop counted", Duration.ofSeconds(5), () -> metrics.droppedCount(DropReason.DESCRIPTION_TOO_LARGE),
                n -> n == 1);
        assertTrue(store.find(usn).isEmpty());
    }

    private void answers(String st, String usn, String host) {
        byte[] bytes = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://" + host
                + ":8080/d.xml\r\nSERVER: Linux/6 UPnP/1.0 test/1\r\nST: " + st + "\r\nUSN: " + usn + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        socket.in.add(new SsdpSocket.Datagram(bytes, bytes.length, InetAddress.ofLiteral(host), true));
    }

    @Test
    void onlyAnswersToItsOwnRecentSearchesAreTakenAndOnlyOnTheAnswerPort() {
        // Given: the search at start for the URN went out
        Deadline.await("the search at start", Duration.ofSeconds(5), () -> List.copyOf(socket.searches),
                s -> s.stream().anyMatch(p -> p.contains("\r\nST: " + urn + "\r\n")));
        String answered = "uuid:" + UUID.randomUUID() + "::" + urn;
        String onGroup = "uuid:" + UUID.randomUUID() + "::" + urn;
        String notifiedToAnswerPort = "uuid:" + UUID.randomUUID() + "::" + urn;
        String otherUrn = "urn:netwarden-test:device:NotSearched" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        whitelist.put(new SearchTerm(otherUrn, "Heard"));
        String unsearched = "uuid:" + UUID.randomUUID() + "::" + otherUrn;

        // When: an answer to that search; an answer on the multicast group; a NOTIFY sent to the answer port; an answer
        // for a whitelisted URN nobody searched for; a byebye for a USN never seen
        answers(urn, answered, "192.0.2.50");
        byte[] multicastAnswer = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://192.0.2.51:8080/d.xml"
                + "\r\nST: " + urn + "\r\nUSN: " + onGroup + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        socket.in.add(new SsdpSocket.Datagram(multicastAnswer, multicastAnswer.length, InetAddress.ofLiteral("192.0.2.51")));
        byte[] unicastNotify = alive(urn, notifiedToAnswerPort, "192.0.2.52").getBytes(StandardCharsets.ISO_8859_1);
        socket.in.add(new SsdpSocket.Datagram(unicastNotify, unicastNotify.length, InetAddress.ofLiteral("192.0.2.52"), true));
        answers(otherUrn, unsearched, "192.0.2.53");
        arrives(alive(urn, "uuid:" + UUID.randomUUID() + "::" + urn, "192.0.2.54").replace("ssdp:alive", "ssdp:byebye"),
                "192.0.2.54");

        // Then: the answer registers; the rest is dropped and counted
        Deadline.await("the answer registered", Duration.ofSeconds(5), () -> store.find(answered), found -> found.isPresent());
        Deadline.await("the byebye counted", Duration.ofSeconds(5), () -> metrics.droppedCount(DropReason.UNKNOWN_USN),
                n -> n == 1);
        assertEquals(3, metrics.droppedCount(DropReason.UNSOLICITED));
        assertTrue(store.find(onGroup).isEmpty() && store.find(notifiedToAnswerPort).isEmpty()
                && store.find(unsearched).isEmpty());

        // When: the other URN is searched for now; Then: its answer is taken
        listener.searchFor(otherUrn);
        answers(otherUrn, unsearched, "192.0.2.53");
        Deadline.await("the answer to the new search registered", Duration.ofSeconds(5), () -> store.find(unsearched),
                found -> found.isPresent());
    }
}
