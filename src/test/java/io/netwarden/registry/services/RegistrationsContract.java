package io.netwarden.registry.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.registry.description.DescriptionException;
import io.netwarden.registry.description.DeviceDescriptions;
import io.netwarden.registry.description.FakeDescriptionSource;
import io.netwarden.registry.events.ServiceDeregistered;
import io.netwarden.registry.events.ServiceRegistered;
import io.netwarden.registry.events.ServiceUpdated;
import io.netwarden.registry.ssdp.SsdpMessage;
import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import io.netwarden.registry.ssdp.DropReason;
import java.net.InetAddress;
import java.net.URI;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the registry does with advertisements, on a real store: registration under the tag, renewal, a device that moved
 * or restarted, byebye, expiry, two instances seeing one service, and a whitelist term taken away. Each test has its
 * own USNs and URN, so tests on a shared database do not see each other.
 */
abstract class RegistrationsContract {

    /** A store on the backend with these limits. */
    protected abstract ServiceStore store(int maxServices, int maxPerAddress);

    private ServiceStore store;

    protected ServiceStore store() {
        if (store == null) {
            store = store(1_000_000, 1_000);
        }
        return store;
    }

    /** A clock the tests move. */
    static final class TestClock extends Clock {
        // from the real time on: the test app's own registry expires what lapsed by the real clock, in the same tables
        volatile Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final List<DomainEvent> events = new ArrayList<>();
    private final SearchTerms whitelist = new SearchTerms();
    private final FakeDescriptionSource source = new FakeDescriptionSource();
    private final DeviceDescriptions descriptions = new DeviceDescriptions(source, (outcome, took) -> {
    });

    /** What {@code registrations} did with {@code message}, once done (a description fetch included). */
    private static Registrations.Outcome handle(Registrations registrations, SsdpMessage message) {
        try {
            return registrations.handle(message).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("not handled in time", e);
        }
    }
    private String urn;
    private String device;
    private Registrations here;
    private Registrations there;
    /** The two instances' names, unique per test: earlier tests' sightings stay in the shared database. */
    private String a;
    private String b;

    @BeforeEach
    void registry() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        urn = "urn:netwarden-test:device:Box" + unique + ":1";
        device = "uuid:" + UUID.randomUUID();
        whitelist.put(new SearchTerm(urn, "Boxes"));
        a = "registry-a-" + unique;
        b = "registry-b-" + unique;
        here = new Registrations(store(), whitelist, descriptions, a, clock, events::add);
        there = new Registrations(store(), whitelist, descriptions, b, clock, events::add);
    }

    private SsdpMessage packet(String nts, String nt, String host, int maxAge, Integer bootId) {
        return packet(nts, nt, host, 8200, maxAge, bootId);
    }

    private SsdpMessage packet(String nts, String nt, String host, int port, int maxAge, Integer bootId) {
        String text = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=" + maxAge + "\r\n"
                + (nts.equals("ssdp:byebye") ? "" : "LOCATION: http://" + host + ":" + port + "/desc.xml\r\n")
                + "NT: " + nt + "\r\nNTS: " + nts + "\r\nUSN: " + device + "::" + nt + "\r\nSERVER: Test/1 UPnP/1.0 Box/1\r\n"
                + (bootId == null ? "" : "BOOTID.UPNP.ORG: " + bootId + "\r\n") + "\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        SsdpParser.Result parsed = SsdpParser.parse(bytes, bytes.length, InetAddress.ofLiteral(host));
        return ((SsdpParser.Accepted) parsed).message();
    }

    private SsdpMessage alive(int maxAge) {
        return packet("ssdp:alive", urn, "192.0.2.10", maxAge, 1);
    }

    private String usn() {
        return device + "::" + urn;
    }

    private RegisteredService stored() {
        return store().find(usn()).orElseThrow(() -> new AssertionError("not registered: " + usn()));
    }

    @Test
    void aWhitelistedAliveIsRegisteredUnderItsTagAndAByebyeRemovesIt() {
        // When
        assertEquals(Registrations.Outcome.REGISTERED, handle(here, alive(1800)));

        // Then
        RegisteredService service = stored();
        assertEquals(urn, service.urn());
        assertEquals("Boxes", service.tag());
        assertEquals("192.0.2.10", service.address());
        assertEquals(8200, service.port());
        assertEquals("http://192.0.2.10:8200/desc.xml", service.location());
        assertEquals("Test/1 UPnP/1.0 Box/1", service.server());
        assertEquals("passing", service.status());
        assertEquals(List.of(a), service.seenBy());
        assertEquals(clock.now.plusSeconds(1800), service.expiresAt());
        assertEquals(ServiceRegistered.class, events.getLast().getClass());

        assertEquals(Registrations.Outcome.DEREGISTERED, handle(here, packet("ssdp:byebye", urn, "192.0.2.10", 0, null)));
        assertTrue(store().find(usn()).isEmpty());
        assertEquals("byebye", ((ServiceDeregistered) events.getLast()).reason());
    }

    @Test
    void whatIsNotWhitelistedOrNeverSeenChangesNothing() {
        assertEquals(Registrations.Outcome.NOT_WHITELISTED, handle(here, packet("ssdp:alive", "upnp:rootdevice",
                "192.0.2.10", 1800, 1)));
        assertEquals(Registrations.Outcome.UNKNOWN, handle(here, packet("ssdp:byebye", urn, "192.0.2.10", 0, null)));
        assertTrue(store().find(device + "::upnp:rootdevice").isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void aRenewalMovesTheExpiryAndANewLocationOrBootIdIsAnUpdate() {
        handle(here, alive(1800));
        Instant first = clock.now;
        clock.now = clock.now.plusSeconds(60);

        assertEquals(Registrations.Outcome.RENEWED, handle(here, alive(1800)));
        assertEquals(first, stored().firstSeen());
        assertEquals(clock.now, stored().lastSeen());
        assertEquals(clock.now.plusSeconds(1800), stored().expiresAt());

        assertEquals(Registrations.Outcome.UPDATED, handle(here, packet("ssdp:alive", urn, "192.0.2.10", 1800, 2)),
                "a new BOOTID: the device restarted");
        assertEquals(2L, stored().bootId());
        assertEquals(Registrations.Outcome.UPDATED, handle(here, packet("ssdp:alive", urn, "192.0.2.10", 8300, 1800, 2)),
                "a new LOCATION: it moved to another port");
        assertEquals(8300, stored().port());
        assertEquals(ServiceUpdated.class, events.getLast().getClass());
        assertEquals(2, events.stream().filter(ServiceUpdated.class::isInstance).count());
    }

    @Test
    void aServiceThatIsNotRenewedWithinItsMaxAgeExpires() {
        handle(here, alive(2));
        clock.now = clock.now.plusSeconds(1);
        assertTrue(here.expire().stream().noneMatch(s -> s.usn().equals(usn())), "still within its max-age");
        clock.now = clock.now.plusSeconds(2);

        List<RegisteredService> gone = here.expire();

        assertTrue(gone.stream().anyMatch(s -> s.usn().equals(usn())), gone.toString());
        assertTrue(store().find(usn()).isEmpty());
        assertEquals("expired", ((ServiceDeregistered) events.getLast()).reason());
    }

    @Test
    void oneServiceSeenByTwoInstancesIsListedOnceAndStaysWhileEitherSeesIt() {
        handle(here, alive(60));
        assertEquals(Registrations.Outcome.RENEWED, handle(there, alive(600)));
        assertEquals(List.of(a, b), stored().seenBy());
        assertEquals(1, store().list(new ServiceStore.Filter(Optional.empty(), Optional.of(urn), Optional.empty(),
                Optional.empty()), 0, 100).size());
        assertEquals(clock.now.plusSeconds(600), stored().expiresAt(), "the latest sighting");

        assertEquals(Registrations.Outcome.WITHDRAWN, handle(here, packet("ssdp:byebye", urn, "192.0.2.10", 0, null)),
                "A no longer sees it; B does");
        assertEquals(List.of(b), stored().seenBy(), "B still sees it");
        assertEquals(1, store().list(new ServiceStore.Filter(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(b)), 0, 1000).stream().filter(s -> s.usn().equals(usn())).count());
        assertEquals(0, store().list(new ServiceStore.Filter(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(a)), 0, 1000).stream().filter(s -> s.usn().equals(usn())).count());

        clock.now = clock.now.plusSeconds(601);
        there.expire();
        assertTrue(store().find(usn()).isEmpty(), "gone once no instance sees it");
    }

    @Test
    void takingAUrnOffTheWhitelistRemovesItsServices() {
        handle(here, alive(1800));
        handle(there, alive(1800));

        List<RegisteredService> gone = here.removeTerm(urn);

        assertEquals(List.of(usn()), gone.stream().map(RegisteredService::usn).toList());
        assertTrue(store().find(usn()).isEmpty());
        assertEquals("term-removed", ((ServiceDeregistered) events.getLast()).reason());
    }

    @Test
    void theListIsFilteredByTagAndPaged() {
        handle(here, alive(1800));
        String second = "urn:netwarden-test:service:Other" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        whitelist.put(new SearchTerm(second, "Others"));
        handle(here, packet("ssdp:alive", second, "192.0.2.10", 1800, 1));

        List<RegisteredService> boxes = store().list(new ServiceStore.Filter(Optional.of("Boxes"), Optional.of(urn),
                Optional.empty(), Optional.empty()), 0, 100);
        assertEquals(List.of(usn()), boxes.stream().map(RegisteredService::usn).toList());
        List<RegisteredService> others = store().list(new ServiceStore.Filter(Optional.of("Others"), Optional.of(second),
                Optional.of("passing"), Optional.of(a)), 0, 100);
        assertEquals(1, others.size());
        assertEquals(0, store().list(new ServiceStore.Filter(Optional.of("Others"), Optional.of(second), Optional.empty(),
                Optional.empty()), 1, 100).size(), "the second page is empty");
    }

    @Test
    void aResyncAfterARestartWithdrawsWhatDidNotAnswerAndKeepsWhatDid() {
        String other = "urn:netwarden-test:device:Quiet" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        whitelist.put(new SearchTerm(other, "Boxes"));
        handle(here, alive(1800));
        handle(here, packet("ssdp:alive", other, "192.0.2.10", 1800, 1));
        clock.now = clock.now.plusSeconds(100);
        Instant restarted = clock.now;
        clock.now = clock.now.plusSeconds(2);
        handle(here, alive(1800)); // answered the search after the restart

        List<RegisteredService> gone = here.resync(restarted);

        assertEquals(List.of(device + "::" + other), gone.stream().map(RegisteredService::usn).toList());
        assertTrue(store().find(usn()).isPresent(), "answered: kept");
        assertTrue(store().find(device + "::" + other).isEmpty(), "silent since the restart: gone");
    }

    @Test
    void newServicesBeyondTheLimitsAreRefusedWhileKnownOnesAreStillRenewed() {
        String address = "198.51.100." + (1 + new java.util.Random().nextInt(250));
        Registrations capped = new Registrations(store(1_000_000, 3), whitelist, descriptions, a, clock, events::add);
        List<String> usns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            device = "uuid:" + UUID.randomUUID();
            usns.add(usn());
            Registrations.Outcome outcome = handle(capped, packet("ssdp:alive", urn, address, 1800, 1));
            assertEquals(i < 3 ? Registrations.Outcome.REGISTERED : Registrations.Outcome.REFUSED, outcome, "service " + i);
        }
        assertTrue(store().find(usns.get(3)).isEmpty(), "the fourth from one address is not stored");
        device = usns.get(0).substring(0, usns.get(0).indexOf("::"));
        assertEquals(Registrations.Outcome.RENEWED, handle(capped, packet("ssdp:alive", urn, address, 1800, 1)));

        int held = store().list(ServiceStore.Filter.ALL, 0, 1_000_000).size();
        Registrations full = new Registrations(store(held + 1, 1_000), whitelist, descriptions, a, clock, events::add);
        device = "uuid:" + UUID.randomUUID();
        assertEquals(Registrations.Outcome.REGISTERED, handle(full, alive(1800)));
        device = "uuid:" + UUID.randomUUID();
        assertEquals(Registrations.Outcome.REFUSED, handle(full, alive(1800)), "beyond max-services in all");
    }

    @Test
    void aRepeatSoonAfterTheLastWriteIsNotWrittenAgain() {
        handle(here, alive(1800));
        Instant written = clock.now;
        clock.now = clock.now.plusSeconds(5);

        assertEquals(Registrations.Outcome.RENEWED, handle(here, alive(1800)));
        assertEquals(written, stored().lastSeen(), "within 30 s of the last write: not written");

        clock.now = clock.now.plusSeconds(30);
        handle(here, alive(1800));
        assertEquals(clock.now, stored().lastSeen(), "written again after 30 s");
    }

    @Test
    void anotherHostCannotTakeOverOrRemoveARegisteredService() {
        handle(here, alive(1800));

        assertEquals(Registrations.Outcome.CONFLICT, handle(here, packet("ssdp:alive", urn, "192.0.2.66", 1800, 1)),
                "the same USN from another address");
        assertEquals(Registrations.Outcome.CONFLICT, handle(here, packet("ssdp:byebye", urn, "192.0.2.66", 0, null)),
                "a byebye from another address");

        RegisteredService service = stored();
        assertEquals("192.0.2.10", service.address());
        assertEquals("http://192.0.2.10:8200/desc.xml", service.location());
        assertEquals(Registrations.Outcome.DEREGISTERED, handle(here, packet("ssdp:byebye", urn, "192.0.2.10", 0, null)));
    }

    @Test
    void aNewServiceIsStoredWithItsDeviceDescriptionFetchedOncePerDevice() {
        // Given: one device announcing two services at one LOCATION
        String second = "urn:netwarden-test:service:Dim" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        whitelist.put(new SearchTerm(second, "Boxes"));
        URI location = URI.create("http://192.0.2.10:8200/desc.xml");

        // When
        handle(here, alive(1800));
        handle(here, packet("ssdp:alive", second, "192.0.2.10", 1800, 1));
        clock.now = clock.now.plusSeconds(40);
        handle(here, alive(1800)); // a renewal

        // Then
        assertEquals(1, source.fetched.stream().filter(location::equals).count(), "one fetch for the device: " + source.fetched);
        Map<String, Object> device = stored().device();
        assertEquals("Box at 192.0.2.10:8200", device.get("friendlyName"));
        assertEquals("Netwarden tests", device.get("manufacturer"));
        assertEquals(List.of(Map.of("serviceType", "urn:schemas-upnp-org:service:Dimming:1", "serviceId",
                "urn:upnp-org:serviceId:Dim", "controlURL", "/ctl/dim")), device.get("services"));
        assertEquals("Box at 192.0.2.10:8200", store().find(this.device + "::" + second).orElseThrow().device().get("friendlyName"));

        // When: the device restarted (a new BOOTID)
        handle(here, packet("ssdp:alive", urn, "192.0.2.10", 1800, 7));

        // Then: fetched again
        assertEquals(2, source.fetched.stream().filter(location::equals).count());
    }

    @Test
    void aServiceWhoseDescriptionCannotBeHadIsNotRegistered() {
        // Given
        source.fail(URI.create("http://192.0.2.10:8200/desc.xml"), DropReason.DESCRIPTION_REDIRECT);

        // When
        RuntimeException failure = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> handle(here, alive(1800)));

        // Then
        assertEquals(DropReason.DESCRIPTION_REDIRECT, ((DescriptionException) failure.getCause()).reason());
        assertTrue(store().find(usn()).isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void aServiceFailingItsProbesIsCriticalPassingAgainWhenItAnswersAndDeregisteredWhenCriticalTooLong() throws Exception {
        // Given
        handle(here, alive(3600));
        URI location = URI.create("http://192.0.2.10:8200/desc.xml");
        HealthProbes probes = new HealthProbes(here, source, Optional.empty(), a, Duration.ofMinutes(5), clock);

        // When: the device stops answering
        source.fail(location, DropReason.DESCRIPTION_TIMEOUT);
        assertEquals(1, probes.probeAll());

        // Then
        assertEquals("critical", stored().status());
        assertEquals(1, store().list(new ServiceStore.Filter(Optional.empty(), Optional.of(urn), Optional.of("critical"),
                Optional.empty()), 0, 10).size());

        // When: it answers again
        source.recover(location);
        clock.now = clock.now.plusSeconds(30);
        probes.probeAll();

        // Then
        assertEquals("passing", stored().status());

        // When: it fails for longer than deregister-critical-after
        source.fail(location, DropReason.DESCRIPTION_UNREACHABLE);
        probes.probeAll();
        clock.now = clock.now.plusSeconds(240);
        probes.probeAll();
        assertEquals("critical", stored().status(), "4 minutes critical: still registered");
        clock.now = clock.now.plusSeconds(61);
        probes.probeAll();

        // Then
        assertTrue(store().find(usn()).isEmpty(), "critical for over 5 minutes: deregistered");
        assertEquals("critical", ((ServiceDeregistered) events.getLast()).reason());

        // When: it announces itself again while its LOCATION still fails
        int fetches = source.fetched.size();
        RuntimeException again = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> handle(here, alive(3600)));

        // Then: its description is fetched again (not the one from before it failed), and it stays out
        assertEquals(fetches + 1, source.fetched.size());
        assertEquals(DropReason.DESCRIPTION_UNREACHABLE, ((DescriptionException) again.getCause()).reason());
        assertTrue(store().find(usn()).isEmpty());
    }
}
