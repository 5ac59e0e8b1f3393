package io.netwarden.netmanager.tunnel;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tunnel's encryption ({@code netwarden.netmanager.tunnel.encryption=aead}): the keys this node holds per peer
 * node, and the sealing and opening of tunnel packets with them.
 *
 * <pre>
 *   pair key (32 random bytes from the cluster, per pair of nodes, with a key id)
 *     ─▶ per direction: HMAC-SHA256(pair key, "netwarden tunnel v1" ‖ sender address ‖ sender port)
 *        (the two directions never share a key, so their counters never make the same nonce)
 *   sealed packet:  suite (1) │ key id (4) │ counter (8) │ the IP packet, encrypted │ tag (16)
 *     nonce = key id ‖ counter; the 13 header bytes are authenticated too
 *   seal(peer)  ─ no key ─▶ NO_KEY (the cluster is asked)  ─▶ the newest key, the next counter
 *   open(peer)  ─ its key id among the last {@value #KEPT} installed? ─ no ─▶ UNKNOWN_KEY (the cluster asked, on the
 *               budget of received packets; for a peer with a key younger than {@link #REASK_NANOS}, not)
 *               ─ counter in the replay window? ─ tag verifies? ─▶ the IP packet; the counter marked
 * </pre>
 *
 * A node that restarts asks for new keys, so a packet recorded earlier never opens again; a re-sent key (same id) keeps
 * its counter. Key bytes never leave this class: no getter, no {@code toString}.
 *
 * <p>Thread safety: the peers are a concurrent map; each key's cipher is used under that key's lock (in practice one
 * thread seals, the TUN reader, and one opens, the tunnel socket's reader).
 */
public final class PeerKeys {

    /** Bytes before the encrypted packet. */
    public static final int HEADER = 1 + 4 + 8;
    /** Bytes a sealed packet has more than the IP packet in it. */
    public static final int OVERHEAD = HEADER + Suite.TAG_BYTES;
    /** Keys per peer that still open packets (the newest seals): a key sent while another was on its way works. */
    static final int KEPT = 3;
    /** A peer whose newest key is younger than this is not asked about again for a packet with another key id. */
    static final long REASK_NANOS = 10_000_000_000L;
    /** Peers with keys, at most (a key for one more is refused, and logged by the caller). */
    static final int MAX_PEERS = 4096;
    private static final byte[] LABEL = "netwarden tunnel v1".getBytes(StandardCharsets.US_ASCII);

    /** Why a packet was not sealed or opened; {@link #seal} and {@link #open} return {@code -(ordinal + 1)}. */
    public enum Refusal {
        NO_KEY("no tunnel key for the peer yet"),
        NOT_SEALED("not sealed (plain, or an unknown cipher)"),
        MALFORMED("a malformed sealed packet"),
        UNKNOWN_KEY("sealed with a key this node does not hold"),
        REPLAYED("replayed"),
        TOO_OLD("older than the replay window"),
        FORGED("its tag does not verify");

        private final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }

        int code() {
            return -(ordinal() + 1);
        }

        /** The refusal a negative result stands for. */
        public static Refusal of(int code) {
            return values()[-code - 1];
        }
    }

    private final Suite suite;
    private final InetSocketAddress local;
    private final Missing missing;

    /** Told of a peer this node needs a key for (it asks the cluster); called on the packet's thread, never blocks. */
    @FunctionalInterface
    public interface Missing {
        /**
         * @param sending true: this node has a packet for the peer; false: the peer sent one this node cannot open (its
         *     source may be spoofed, so such asks get a budget of their own)
         */
        void need(InetSocketAddress peer, boolean sending);
    }
    private final Map<InetSocketAddress, Peer> peers = new ConcurrentHashMap<>();

    /**
     * @param suite the cipher this node seals with (it opens both)
     * @param local this node's tunnel address, as its peers see it
     * @param missing told of a peer this node needs a key for
     */
    public PeerKeys(Suite suite, InetSocketAddress local, Missing missing) {
        this.suite = suite;
        this.local = local;
        this.missing = missing;
    }

    public Suite suite() {
        return suite;
    }

    /**
     * Takes a pair key the cluster sent for {@code peer}; it seals from now on. A key id already held changes nothing.
     *
     * @return false when it is refused: {@value #MAX_PEERS} other peers have keys
     */
    public boolean install(InetSocketAddress peer, int keyId, byte[] pairKey) {
        if (pairKey.length != Suite.KEY_BYTES) {
            throw new IllegalArgumentException("a tunnel key is " + Suite.KEY_BYTES + " bytes, not " + pairKey.length);
        }
        if (!peers.containsKey(peer) && peers.size() >= MAX_PEERS) {
            return false;
        }
        Peer state = peers.computeIfAbsent(peer, p -> new Peer());
        synchronized (state) {
            if (state.receiving.containsKey(keyId)) {
                return true;
            }
            state.receiving.put(keyId, new Receiving(derive(pairKey, peer)));
            while (state.receiving.size() > KEPT) {
                state.receiving.remove(state.receiving.keySet().iterator().next());
            }
            state.sending = new Sending(keyId, suite, derive(pairKey, local));
            state.installedAt = System.nanoTime();
        }
        return true;
    }

    /** Whether a key for {@code peer} is held. */
    public boolean has(InetSocketAddress peer) {
        Peer state = peers.get(peer);
        return state != null && state.sending != null;
    }

    /** Forgets the keys of every peer (the node's registration ends). */
    public void clear() {
        peers.clear();
    }

    /** Peers with a key. */
    public int size() {
        return peers.size();
    }

    /**
     * Seals {@code packet[0, length)} for {@code peer} into {@code out} (room for {@code length + OVERHEAD}).
     *
     * @return the sealed length, or a negative {@link Refusal} code
     */
    public int seal(InetSocketAddress peer, byte[] packet, int length, byte[] out) {
        Peer state = peers.get(peer);
        Sending sending = state == null ? null : state.sending;
        if (sending == null) {
            missing.need(peer, true);
            return Refusal.NO_KEY.code();
        }
        long counter = sending.counter.getAndIncrement();
        out[0] = suite.id;
        ByteBuffer.wrap(out, 1, 12).putInt(sending.keyId).putLong(counter);
        synchronized (sending) {
            try {
                sending.cipher.init(Cipher.ENCRYPT_MODE, sending.key, suite.nonce(Arrays.copyOfRange(out, 1, HEADER)));
                sending.cipher.updateAAD(out, 0, HEADER);
                return HEADER + sending.cipher.doFinal(packet, 0, length, out, HEADER);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("sealing a tunnel packet failed: " + e.getClass().getSimpleName());
            }
        }
    }

    /**
     * Opens a sealed packet from {@code peer} into {@code out}.
     *
     * @return the IP packet's length, or a negative {@link Refusal} code
     */
    public int open(InetSocketAddress peer, byte[] sealed, int length, byte[] out) {
        Suite sealedWith = length < 1 ? null : Suite.ofId(sealed[0]);
        if (sealedWith == null) {
            return Refusal.NOT_SEALED.code();
        }
        if (length < OVERHEAD + 20) {
            return Refusal.MALFORMED.code();
        }
        ByteBuffer header = ByteBuffer.wrap(sealed, 1, 12);
        int keyId = header.getInt();
        long counter = header.getLong();
        Peer state = peers.get(peer);
        Receiving receiving;
        if (state == null) {
            // asked (a restarted node has no keys, and its peer keeps sealing with the old one), on the budget of
            // received packets: their sources may be spoofed, and must not use up the asks for packets to send
            missing.need(peer, false);
            return Refusal.UNKNOWN_KEY.code();
        }
        synchronized (state) {
            receiving = state.receiving.get(keyId);
            if (receiving == null && System.nanoTime() - state.installedAt > REASK_NANOS) {
                missing.need(peer, false); // the peer has a newer key than this node (it restarted, or this one did)
            }
        }
        if (receiving == null) {
            return Refusal.UNKNOWN_KEY.code();
        }
        synchronized (receiving) {
            switch (receiving.window.check(counter)) {
                case REPLAYED -> {
                    return Refusal.REPLAYED.code();
                }
                case TOO_OLD -> {
                    return Refusal.TOO_OLD.code();
                }
                case FRESH -> {
                }
            }
            Cipher cipher = receiving.cipher(sealedWith);
            int opened;
            try {
                cipher.init(Cipher.DECRYPT_MODE, sealedWith.key(receiving.key), sealedWith.nonce(
                        Arrays.copyOfRange(sealed, 1, HEADER)));
                cipher.updateAAD(sealed, 0, HEADER);
                opened = cipher.doFinal(sealed, HEADER, length - HEADER, out, 0);
            } catch (javax.crypto.AEADBadTagException e) {
                return Refusal.FORGED.code();
            } catch (GeneralSecurityException e) {
                return Refusal.MALFORMED.code();
            }
            receiving.window.mark(counter);
            return opened;
        }
    }

    /** The key of the direction that {@code sender} seals: HMAC-SHA256(pair key, label ‖ address ‖ port). */
    static byte[] derive(byte[] pairKey, InetSocketAddress sender) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pairKey, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(sender.getAddress().getAddress());
            mac.update(new byte[] {(byte) (sender.getPort() >> 8), (byte) sender.getPort()});
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no HmacSHA256: " + e.getMessage());
        }
    }

    private static final class Peer {
        /** Key id → key, oldest first. */
        final Map<Integer, Receiving> receiving = new LinkedHashMap<>();
        volatile Sending sending;
        long installedAt;
    }

    private static final class Sending {
        final int keyId;
        final SecretKeySpec key;
        final Cipher cipher;
        final AtomicLong counter = new AtomicLong();

        Sending(int keyId, Suite suite, byte[] key) {
            this.keyId = keyId;
            this.key = suite.key(key);
            this.cipher = suite.cipher();
        }
    }

    private static final class Receiving {
        final byte[] key;
        final ReplayWindow window = new ReplayWindow();
        private final Cipher[] ciphers = new Cipher[Suite.values().length];

        Receiving(byte[] key) {
            this.key = key;
        }

        Cipher cipher(Suite suite) {
            Cipher cipher = ciphers[suite.ordinal()];
            if (cipher == null) {
                cipher = suite.cipher();
                ciphers[suite.ordinal()] = cipher;
            }
            return cipher;
        }
    }
}
