package io.netwarden.platform.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.testing.NatsServerProcess;
import io.netwarden.testing.TestEnv;
import io.netwarden.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NATS authentication and TLS against real nats-servers: one that verifies client certificates and knows a user with a
 * password and an nkey user, one that wants a token. Certificates are made by openssl for each run.
 */
class NatsSecurityTest {

    private static final String PASSWORD = "nats-pw-" + Long.toHexString(new SecureRandom().nextLong());
    private static final String TOKEN = "nats-token-" + Long.toHexString(new SecureRandom().nextLong());

    @TempDir
    static Path dir;

    static TestPki pki;
    static NatsServerProcess users;
    static NatsServerProcess tokens;
    static Path seedFile;

    @BeforeAll
    static void servers() throws Exception {
        pki = TestPki.create(dir);
        NKey nkey = NKey.createUser(new SecureRandom());
        seedFile = dir.resolve("user.nk");
        Files.writeString(seedFile, new String(nkey.getSeed()) + "\n");
        Files.setPosixFilePermissions(seedFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String tls = "tls { cert_file: \"" + pki.serverCert() + "\", key_file: \"" + pki.serverKey() + "\", ca_file: \""
                + pki.ca() + "\", verify: %s, timeout: 2 }\n";
        users = new NatsServerProcess(TestEnv.freePort(), tls.formatted("true") + "authorization { users = [ "
                + "{ user: \"edge\", password: \"" + PASSWORD + "\" }, { nkey: \"" + new String(nkey.getPublicKey()) + "\" } ] }")
                .start();
        tokens = new NatsServerProcess(TestEnv.freePort(), tls.formatted("false") + "authorization { token: \"" + TOKEN + "\" }")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (users != null) {
            users.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    private static String url(NatsServerProcess server) {
        return server.url().replace("nats://", "tls://");
    }

    @Test
    void userAndPasswordOverTlsWithAClientCertificateCarryMessages() throws Exception {
        // Given
        Settings settings = Settings.none().user("edge", PASSWORD).tls(pki.ca(), pki.clientCert(), pki.clientKey());
        NatsSecurity security = NatsSecurity.from(settings, url(users));
        NatsMessaging bus = new NatsMessaging(url(users), "netwarden-tls-test", Duration.ofSeconds(2), Duration.ofMillis(100),
                Duration.ofMillis(500), security, source -> {
                });
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);

        // When
        bus.start();
        try {
            assertTrue(bus.connected(), users.log());
            bus.subscribe("secure.test", Optional.empty(), m -> received.add(new String(m.data(), StandardCharsets.UTF_8)));
            bus.publish(new BusMessage("secure.test", Optional.empty(), java.util.Map.of(), "over tls".getBytes(StandardCharsets.UTF_8)));

            // Then
            assertEquals("over tls", received.poll(5, TimeUnit.SECONDS));
            assertEquals("user/password (user edge), TLS (own CA) with a client certificate", security.description());
            assertFalse(security.description().contains(PASSWORD));
        } finally {
            bus.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void anNkeySeedFileSignsIn() throws Exception {
        Settings settings = Settings.none().nkeySeed(seedFile).tls(pki.ca(), pki.clientCert(), pki.clientKey());
        try (Connection connection = connect(url(users), NatsSecurity.from(settings, url(users)))) {
            assertEquals(Connection.Status.CONNECTED, connection.getStatus());
        }
    }

    @Test
    void aTokenSignsInAndAWrongOneDoesNot() throws Exception {
        Settings right = Settings.none().token(TOKEN).tls(pki.ca(), null, null);
        try (Connection connection = connect(url(tokens), NatsSecurity.from(right, url(tokens)))) {
            assertEquals(Connection.Status.CONNECTED, connection.getStatus());
        }
        Settings wrong = Settings.none().token(TOKEN + "x").tls(pki.ca(), null, null);
        Exception refused = assertThrows(Exception.class, () -> connect(url(tokens), NatsSecurity.from(wrong, url(tokens))).close());
        assertFalse(String.valueOf(refused.getMessage()).contains(TOKEN), refused.getMessage());
    }

    @Test
    void whatTheServerDoesNotAcceptIsRefused() {
        // a wrong password
        Settings wrongPassword = Settings.none().user("edge", PASSWORD + "x").tls(pki.ca(), pki.clientCert(), pki.clientKey());
        Exception refused = assertThrows(Exception.class, () -> connect(url(users), NatsSecurity.from(wrongPassword, url(users))).close());
        assertFalse(String.valueOf(refused.getMessage()).contains(PASSWORD), refused.getMessage());
        // no client certificate for a server that verifies clients
        Settings noCert = Settings.none().user("edge", PASSWORD).tls(pki.ca(), null, null);
        assertThrows(Exception.class, () -> connect(url(users), NatsSecurity.from(noCert, url(users))).close());
        // plain text to a server that wants TLS
        Settings plain = Settings.none().user("edge", PASSWORD);
        assertThrows(Exception.class, () -> connect(users.url(), NatsSecurity.from(plain, users.url())).close());
        // a server certificate from a CA that is not ours
        Settings defaultTrust = Settings.none().user("edge", PASSWORD).tls(null, pki.clientCert(), pki.clientKey());
        assertThrows(Exception.class, () -> connect(url(users), NatsSecurity.from(defaultTrust, url(users))).close());
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        TestPki stranger = pki.stranger();
        Settings settings = Settings.none().user("edge", PASSWORD).tls(pki.ca(), stranger.clientCert(), stranger.clientKey());
        assertThrows(Exception.class, () -> connect(url(users), NatsSecurity.from(settings, url(users))).close());
    }

    @Test
    void settingsThatCannotWorkStopStartUpNamingTheSetting() throws Exception {
        assertRefused(Settings.none().user("edge", PASSWORD).token(TOKEN), "not user/password and token");
        assertRefused(new Settings(Optional.of("edge"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()),
                "netwarden.nats.user and netwarden.nats.password go together");
        assertRefused(Settings.none().inbox("_INBOX.>"), "netwarden.nats.inbox-prefix must be subject tokens");
        assertRefused(Settings.none().inbox("a..b"), "netwarden.nats.inbox-prefix must be subject tokens");
        assertTrue(NatsSecurity.from(Settings.none().inbox("_INBOX_ship1"), "nats://127.0.0.1:1").description()
                .contains("replies on _INBOX_ship1.>"));
        Path junk = Files.writeString(dir.resolve("junk.nk"), "not a seed\n");
        assertRefused(Settings.none().nkeySeed(junk), "holds no user nkey seed");
        Path badSeed = Files.writeString(dir.resolve("bad.nk"), "SUAAAAAAAAAAAAAAAAAA\n");
        assertRefused(Settings.none().nkeySeed(badSeed), "holds no valid user nkey seed");
        assertRefused(Settings.none().nkeySeed(dir.resolve("missing.nk")), "is not a readable seed file");
        Path creds = Files.writeString(dir.resolve("user.creds"), "just text\n");
        assertRefused(Settings.none().creds(creds), "is not a NATS creds file");
        assertRefused(Settings.none().tls(pki.ca(), pki.clientCert(), null), "give both or neither");
        Path oldKey = Files.writeString(dir.resolve("old.key"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertRefused(Settings.none().tls(pki.ca(), pki.clientCert(), oldKey), "openssl pkcs8 -topk8");
        assertRefused(Settings.none().tls(pki.clientKey(), null, null), "holds no '-----BEGIN CERTIFICATE-----' block");
    }

    private static void assertRefused(Settings settings, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NatsSecurity.from(settings, "nats://127.0.0.1:1"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD) || e.getMessage().contains(TOKEN), e.getMessage());
    }

    private static Connection connect(String url, NatsSecurity security) throws Exception {
        Options.Builder builder = Options.builder().server(url).connectionTimeout(Duration.ofSeconds(2)).maxReconnects(0)
                .noReconnect();
        security.apply(builder);
        return Nats.connect(builder.build());
    }

    /** The NATS settings as a test gives them. */
    record Settings(Optional<String> user, Optional<Secret> password, Optional<Secret> token, Optional<Path> credsFile,
            Optional<Path> nkeySeedFile, Optional<Path> ca, Optional<Path> cert, Optional<Path> key, Optional<String> inbox)
            implements NetwardenConfig.Nats {

        static Settings none() {
            return new Settings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        Settings inbox(String prefix) {
            return new Settings(user, password, token, credsFile, nkeySeedFile, ca, cert, key, Optional.of(prefix));
        }

        @Override
        public Optional<String> inboxPrefix() {
            return inbox;
        }

        Settings user(String name, String secret) {
            return new Settings(Optional.of(name), Optional.of(Secret.of(secret)), token, credsFile, nkeySeedFile, ca, cert, key, inbox);
        }

        Settings token(String secret) {
            return new Settings(user, password, Optional.of(Secret.of(secret)), credsFile, nkeySeedFile, ca, cert, key, inbox);
        }

        Settings nkeySeed(Path file) {
            return new Settings(user, password, token, credsFile, Optional.of(file), ca, cert, key, inbox);
        }

        Settings creds(Path file) {
            return new Settings(user, password, token, Optional.of(file), nkeySeedFile, ca, cert, key, inbox);
        }

        Settings tls(Path caFile, Path certFile, Path keyFile) {
            return new Settings(user, password, token, credsFile, nkeySeedFile, Optional.ofNullable(caFile),
                    Optional.ofNullable(certFile), Optional.ofNullable(keyFile), inbox);
        }

        @Override
        public Optional<String> url() {
            return Optional.empty();
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(2);
        }

        @Override
        public Duration reconnectInitialWait() {
            return Duration.ofMillis(100);
        }

        @Override
        public Duration reconnectMaxWait() {
            return Duration.ofMillis(500);
        }

        @Override
        public Tls tls() {
            return new Tls() {
                @Override
                public Optional<Path> caFile() {
                    return ca;
                }

                @Override
                public Optional<Path> certFile() {
                    return cert;
                }

                @Override
                public Optional<Path> keyFile() {
                    return key;
                }
            };
        }
    }
}
