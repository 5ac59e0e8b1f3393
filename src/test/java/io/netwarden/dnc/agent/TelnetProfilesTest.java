package io.netwarden.dnc.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.dnc.telnet.TelnetProfile;
import io.netwarden.platform.consul.ConsulKv;
import io.netwarden.testing.FakeConsul;
import io.netwarden.testing.TestEnv;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Which profile an element gets, and what happens when Consul is away. */
class TelnetProfilesTest {

    private static TelnetProfiles withConsul(String url, Duration refresh) {
        return TelnetProfiles.compile(Map.of(), new ConsulKv(Optional.of(URI.create(url)), Optional.empty(),
                Duration.ofMillis(500)), refresh);
    }

    @Test
    void consulCannotBeReachedAndNothingWasReadYet() {
        // Given: a Consul URL where nothing listens
        TelnetProfiles profiles = withConsul("http://127.0.0.1:" + TestEnv.freePort(), Duration.ofSeconds(30));

        // When
        var e = assertThrows(TelnetProfiles.ProfileException.class, () -> profiles.forElement("acme", "x1"));

        // Then
        assertEquals("profile_unavailable", e.code());
        assertTrue(e.getMessage().contains("elements/acme/x1"), e.getMessage());
    }

    @Test
    void theLastProfileReadIsKeptWhileConsulIsAwayAndChangesArePickedUpAfterTheRefresh() throws Exception {
        Map<String, String> kv = new ConcurrentHashMap<>(Map.of("elements/acme/x1", "{\"paging-off\":\"no-more\"}"));
        try (FakeConsul consul = new FakeConsul(kv)) {
            consul.start();
            TelnetProfiles profiles = withConsul(consul.url(), Duration.ZERO);
            assertEquals(Optional.of("no-more"), profiles.forElement("ACME", "X1").pagingOff());

            // a change is seen on the next look-up (refresh 0)
            kv.put("elements/acme/x1", "{\"paging-off\":\"less\"}");
            assertEquals(Optional.of("less"), profiles.forElement("acme", "x1").pagingOff());

            // Consul gone: the last profile read stays
            consul.stop();
            assertEquals(Optional.of("less"), profiles.forElement("acme", "x1").pagingOff());
        }
    }

    @Test
    void aVendorOrModelNeverReachesAKeyOutsideElementsNorIsWhatConsulHoldsEchoed() throws Exception {
        // Given: a secret elsewhere in the KV store, and a profile key holding something that is not a profile
        Map<String, String> kv = new ConcurrentHashMap<>(Map.of("secret/db", "{\"paging-off\":\"stolen\"}",
                "elements/acme/bad", "DB-PASSWORD-hunter2"));
        try (FakeConsul consul = new FakeConsul(kv)) {
            consul.start();
            FakeConsul.REQUESTS.clear();
            TelnetProfiles profiles = withConsul(consul.url(), Duration.ZERO);

            // When: a vendor that climbs out of elements/ (stored before the API checked vendors, say)
            TelnetProfile profile = profiles.forElement("../secret", "db");

            // Then: Consul is not asked for it at all, and the generic profile applies
            assertSame(TelnetProfile.GENERIC, profile);
            assertTrue(FakeConsul.REQUESTS.stream().noneMatch(r -> r.contains("secret")), FakeConsul.REQUESTS.toString());

            // and a broken profile is reported without what the key holds
            var e = assertThrows(TelnetProfiles.ProfileException.class, () -> profiles.forElement("acme", "bad"));
            assertEquals("profile_invalid", e.code());
            assertTrue(!e.getMessage().contains("DB") && !e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void aConsulUrlThatIsNotHttpIsRefusedWithoutEchoingCredentials() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ConsulKv(
                Optional.of(URI.create("ftp://ops:hunter2@consul:8500")), Optional.empty(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("netwarden.consul.url") && e.getMessage().contains("'ftp'"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
        assertEquals("http://consul:8500", new ConsulKv(Optional.of(URI.create("http://ops:hunter2@consul:8500")),
                Optional.empty(), Duration.ofSeconds(1)).describe());
    }

    @Test
    void withoutConsulTheConfiguredProfilesApply() throws Exception {
        TelnetProfiles profiles = TelnetProfiles.compile(Map.of(), new ConsulKv(Optional.empty(), Optional.empty(),
                Duration.ofSeconds(1)), Duration.ofSeconds(30));
        assertSame(TelnetProfile.GENERIC, profiles.forElement("acme", "x1"));
    }
}
