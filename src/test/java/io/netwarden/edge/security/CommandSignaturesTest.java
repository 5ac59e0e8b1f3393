package io.netwarden.edge.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.crypto.Ed25519Key;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSignaturesTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path dir;

    private Ed25519Key central;
    private CommandSignatures atCentral;
    private CommandSignatures atShip1;
    private Clock clock;

    @BeforeEach
    void keys() {
        central = Ed25519Key.loadOrCreate(dir.resolve("central.pem"), dir.resolve("central.pub.pem"));
        Ed25519Key ship1 = Ed25519Key.loadOrCreate(dir.resolve("ship1.pem"), dir.resolve("ship1.pub.pem"));
        clock = Clock.fixed(NOW, ZoneOffset.UTC);
        atCentral = new CommandSignatures("central", central, List.of(), clock);
        atShip1 = new CommandSignatures("ship1", ship1, List.of(central.publicKey()), clock);
    }

    private static EdgeMessage command(String toNode, List<String> argv) {
        return new EdgeMessage("m-1", "central", toNode, EdgeMessage.Kind.command, "shellCommand", argv,
                Duration.ofSeconds(30), NOW.plusSeconds(60), Optional.empty(), Optional.empty());
    }

    @Test
    void aCommandSignedByATrustedKeyPasses() {
        EdgeMessage signed = atCentral.sign(command("ship1", List.of("uptime")));
        assertEquals(Optional.empty(), atShip1.check(signed));
        assertEquals(central.fingerprint(), signed.keyId().orElseThrow());
    }

    @Test
    void everythingSignedIsCoveredByTheSignature() {
        EdgeMessage signed = atCentral.sign(command("ship1", List.of("uptime")));
        byte[] signature = signed.signature().orElseThrow();
        Optional<String> key = signed.keyId();
        List<EdgeMessage> changed = List.of(
                new EdgeMessage("m-2", "central", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("uptime"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("reboot"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("up", "time"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "tailFile", List.of("uptime"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.event, "shellCommand", List.of("uptime"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("uptime"),
                        Duration.ofHours(9), NOW.plusSeconds(60), key, Optional.of(signature)),
                new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("uptime"),
                        Duration.ofSeconds(30), NOW.plusSeconds(6000), key, Optional.of(signature)),
                new EdgeMessage("m-1", "ship2", "ship1", EdgeMessage.Kind.command, "shellCommand", List.of("uptime"),
                        Duration.ofSeconds(30), NOW.plusSeconds(60), key, Optional.of(signature)));
        for (EdgeMessage message : changed) {
            assertEquals(Optional.of(EdgeError.BAD_SIGNATURE), atShip1.check(message), message.toString());
        }
    }

    @Test
    void aCapturedCommandReplayedToAnotherNodeIsRefused() {
        EdgeMessage forShip2 = atCentral.sign(command("ship2", List.of("uptime")));
        assertEquals(Optional.of(EdgeError.WRONG_NODE), atShip1.check(forShip2));
        // re-addressed to ship1, the signature no longer fits
        EdgeMessage readdressed = new EdgeMessage("m-1", "central", "ship1", EdgeMessage.Kind.command, "shellCommand",
                List.of("uptime"), Duration.ofSeconds(30), NOW.plusSeconds(60), forShip2.keyId(), forShip2.signature());
        assertEquals(Optional.of(EdgeError.BAD_SIGNATURE), atShip1.check(readdressed));
    }

    @Test
    void unsignedUntrustedAndExpiredCommandsAreRefused() {
        assertEquals(Optional.of(EdgeError.UNSIGNED), atShip1.check(command("ship1", List.of("uptime"))));
        Ed25519Key stranger = Ed25519Key.loadOrCreate(dir.resolve("x.pem"), dir.resolve("x.pub.pem"));
        CommandSignatures strangers = new CommandSignatures("central", stranger, List.of(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(Optional.of(EdgeError.UNTRUSTED_KEY), atShip1.check(strangers.sign(command("ship1", List.of("uptime")))));
        EdgeMessage signed = atCentral.sign(command("ship1", List.of("uptime")));
        CommandSignatures later = new CommandSignatures("ship1", central, List.of(central.publicKey()),
                Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC));
        assertEquals(Optional.of(EdgeError.EXPIRED), later.check(signed));
        // a node that trusts no key runs no command
        CommandSignatures trustsNone = new CommandSignatures("ship1", central, List.of(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(Optional.of(EdgeError.UNTRUSTED_KEY), trustsNone.check(signed));
    }

    @Test
    void namesThatCannotBeSubjectTokensAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> command("ship.1", List.of()));
        assertThrows(IllegalArgumentException.class, () -> command("*", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EdgeMessage("m", "central", "ship1", EdgeMessage.Kind.command,
                "shell command", List.of(), Duration.ZERO, NOW, Optional.empty(), Optional.empty()));
    }

    @Test
    void anAnswerSignedByTheNodeVerifiesAgainstItsKeyOnlyAndUnchanged() {
        Ed25519Key ship1 = Ed25519Key.loadOrCreate(dir.resolve("ship1.pem"), dir.resolve("ship1.pub.pem"));
        EdgeAck signed = atShip1.sign(new EdgeAck("m1", "ship1", true, "up 3 days", 0, false, Optional.empty(), "", false,
                Optional.empty(), Optional.empty()));
        assertTrue(CommandSignatures.signedBy(signed, ship1.publicKey()));
        assertTrue(CommandSignatures.signedBy(EdgeAckWire.read(EdgeAckWire.write(signed)), ship1.publicKey()), "over the wire");
        assertFalse(CommandSignatures.signedBy(signed, central.publicKey()), "another node's key");
        EdgeAck changed = new EdgeAck("m1", "ship1", true, "forged output", 0, false, Optional.empty(), "", false,
                signed.keyId(), signed.signature());
        assertFalse(CommandSignatures.signedBy(changed, ship1.publicKey()), "output changed");
        EdgeAck otherMessage = new EdgeAck("m2", "ship1", true, "up 3 days", 0, false, Optional.empty(), "", false,
                signed.keyId(), signed.signature());
        assertFalse(CommandSignatures.signedBy(otherMessage, ship1.publicKey()), "moved to another message");
        EdgeAck unsigned = new EdgeAck("m1", "ship1", true, "up 3 days", 0, false, Optional.empty(), "", false,
                Optional.empty(), Optional.empty());
        assertFalse(CommandSignatures.signedBy(unsigned, ship1.publicKey()));
    }

    @Test
    void anAnswersDuplicateIdCannotBeGuessedWithoutTheNodesKey() {
        EdgeAck answer = new EdgeAck("m1", "ship1", true, "up", 0, false, Optional.empty(), "", false, Optional.empty(),
                Optional.empty());
        EdgeAck signed = atShip1.sign(answer);
        assertEquals(EdgeAckWire.dedupeId(signed, "central"), EdgeAckWire.dedupeId(atShip1.sign(answer), "central"), "sent again: the same id");
        assertTrue(EdgeAckWire.dedupeId(signed, "central").startsWith("ack-m1-ship1-central-"));
        assertFalse(EdgeAckWire.dedupeId(signed, "central").equals(EdgeAckWire.dedupeId(signed, "evil")), "another recipient");
        assertFalse(EdgeAckWire.dedupeId(signed, "central").equals(EdgeAckWire.dedupeId(answer, "central")), "unsigned: another id");
        assertFalse(EdgeAckWire.dedupeId(signed, "central").equals(EdgeAckWire.dedupeId(atCentral.sign(answer), "central")),
                "another key");
    }

    @Test
    void eventsAreSignedTooAndOnTheCentralTakenWithTheSendersPinnedKey() {
        Ed25519Key ship1 = Ed25519Key.loadOrCreate(dir.resolve("ship1.pem"), dir.resolve("ship1.pub.pem"));
        CommandSignatures atShip1Sending = new CommandSignatures("ship1", ship1, List.of(), clock);
        CommandSignatures centralPinning = new CommandSignatures("central", central, List.of(), clock,
                sender -> sender.equals("ship1") ? Optional.of(ship1.publicKey()) : Optional.empty());
        EdgeMessage logLine = new EdgeMessage("e1", "ship1", "central", EdgeMessage.Kind.event, "textLogging",
                List.of("engine started"), java.time.Duration.ofSeconds(5), clock.instant().plusSeconds(60), Optional.empty(),
                Optional.empty());
        assertEquals(Optional.of(EdgeError.UNSIGNED), centralPinning.check(logLine));
        assertEquals(Optional.empty(), centralPinning.check(atShip1Sending.sign(logLine)));
        EdgeMessage asCommand = new EdgeMessage("c1", "ship1", "central", EdgeMessage.Kind.command, "shellCommand",
                List.of("reboot"), java.time.Duration.ofSeconds(5), clock.instant().plusSeconds(60), Optional.empty(),
                Optional.empty());
        assertEquals(Optional.of(EdgeError.UNTRUSTED_KEY), centralPinning.check(atShip1Sending.sign(asCommand)),
                "a node's pinned key never makes its commands run on the central");
        EdgeMessage claimingShip2 = new EdgeMessage("e2", "ship2", "central", EdgeMessage.Kind.event, "textLogging",
                List.of("x"), java.time.Duration.ofSeconds(5), clock.instant().plusSeconds(60), Optional.empty(), Optional.empty());
        assertEquals(Optional.of(EdgeError.UNTRUSTED_KEY), centralPinning.check(atShip1Sending.sign(claimingShip2)),
                "signed by ship1, claiming ship2");
    }
}
