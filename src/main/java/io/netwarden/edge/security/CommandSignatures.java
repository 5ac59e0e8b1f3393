package io.netwarden.edge.security;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeAck;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.crypto.Ed25519Key;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Signs the messages a node sends and checks those it receives, in this order (the first failure is the answer):
 *
 * <pre>
 *   addressed to me?   ─ no ─▶ WRONG_NODE      (a captured message replayed to another node)
 *   signed?            ─ no ─▶ UNSIGNED        (commands and events alike)
 *   key trusted?       ─ no ─▶ UNTRUSTED_KEY   (own key, trusted-keys file; for an event on the central also the key
 *                                               pinned at the sending node's hello)
 *   signature valid?   ─ no ─▶ BAD_SIGNATURE   (anything signed was changed)
 *   not expired?       ─ no ─▶ EXPIRED         (checked after the signature: the expiry is signed)
 * </pre>
 *
 * Thread safety: immutable.
 */
public final class CommandSignatures {

    private final String node;
    private final Ed25519Key own;
    private final Map<String, PublicKey> trusted;
    private final Clock clock;
    private final Function<String, Optional<PublicKey>> peers;

    /**
     * @param node this node's name
     * @param own the key this node signs with
     * @param trusted the public keys whose commands this node runs (a node trusting none runs no command)
     */
    public CommandSignatures(String node, Ed25519Key own, List<PublicKey> trusted, Clock clock) {
        this(node, own, trusted, clock, sender -> Optional.empty());
    }

    /**
     * @param peers the key pinned for a sending node, on the central: events (never commands) signed by it are taken
     *     from that node as well
     */
    public CommandSignatures(String node, Ed25519Key own, List<PublicKey> trusted, Clock clock,
            Function<String, Optional<PublicKey>> peers) {
        this.node = node;
        this.own = own;
        this.trusted = trusted.stream().collect(Collectors.toUnmodifiableMap(Ed25519Key::fingerprint, Function.identity(),
                (a, b) -> a));
        this.clock = clock;
        this.peers = peers;
    }

    public EdgeMessage sign(EdgeMessage message) {
        return message.signed(own.fingerprint(), own.sign(message.signingBytes()));
    }

    /** This node's answer, signed with its key. */
    public EdgeAck sign(EdgeAck ack) {
        return ack.signed(own.fingerprint(), own.sign(ack.signingBytes()));
    }

    /** Whether {@code ack} is signed by {@code key} (the answering node's pinned key) and unchanged. */
    public static boolean signedBy(EdgeAck ack, PublicKey key) {
        return ack.signature().isPresent() && ack.keyId().filter(Ed25519Key.fingerprint(key)::equals).isPresent()
                && Ed25519Key.verify(key, ack.signingBytes(), ack.signature().get());
    }

    /** The trusted key of that fingerprint (own key included). */
    public Optional<PublicKey> trustedKey(String fingerprint) {
        return Optional.ofNullable(trusted.get(fingerprint));
    }

    /** This node's own public key. */
    public PublicKey ownKey() {
        return own.publicKey();
    }

    /** Why {@code message} must not be handled here, or empty when it may. */
    public Optional<EdgeError> check(EdgeMessage message) {
        if (!message.toNode().equals(node)) {
            return Optional.of(EdgeError.WRONG_NODE);
        }
        if (message.signature().isEmpty() || message.keyId().isEmpty()) {
            return Optional.of(EdgeError.UNSIGNED); // events too: an event runs a method as well
        }
        PublicKey key = trusted.get(message.keyId().get());
        if (key == null && message.kind() == EdgeMessage.Kind.event) {
            key = peers.apply(message.fromNode()).filter(k -> Ed25519Key.fingerprint(k).equals(message.keyId().get()))
                    .orElse(null);
        }
        if (key == null) {
            return Optional.of(EdgeError.UNTRUSTED_KEY);
        }
        if (!Ed25519Key.verify(key, message.signingBytes(), message.signature().get())) {
            return Optional.of(EdgeError.BAD_SIGNATURE);
        }
        return expiry(message);
    }

    private Optional<EdgeError> expiry(EdgeMessage message) {
        return clock.instant().isAfter(message.expiresAt()) ? Optional.of(EdgeError.EXPIRED) : Optional.empty();
    }

    /** Fingerprints of the trusted keys, for the log and the node list. */
    public List<String> trustedFingerprints() {
        return trusted.keySet().stream().sorted().toList();
    }
}
