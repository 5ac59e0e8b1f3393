package io.netwarden.platform.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.jboss.logging.Logger;

/**
 * An Ed25519 signing key in the PEM files {@code openssl genpkey -algorithm ed25519} writes: sign with it, show its
 * public key and fingerprint, verify others' signatures.
 *
 * <pre>
 *   load(file)                 an operator's key (PKCS#8 PEM); its public key is derived
 *   loadOrCreate(file, pub)    the same, or made at first start: file 0600, public key PEM beside it
 *   sign(bytes) ─▶ 64 bytes    verify(publicKey, bytes, signature)
 *   fingerprint ─▶ SHA256:<base64 of the public key's DER, no padding>  (as ssh-keygen -l shows keys)
 * </pre>
 *
 * Keys are read and made with the JDK; signing and verifying use Bouncy Castle's RFC 8032 code, which is about eight
 * times faster than the JDK's (an edge message is signed and checked twice on its way: this is most of its CPU time).
 * Ed25519 signatures are deterministic, so either gives the same bytes.
 *
 * {@code toString()} shows the fingerprint only; key material never leaves this class except through {@link #sign}.
 * Thread safety: immutable (the secret bytes are never handed out or changed); the cache of decoded public keys is
 * concurrent.
 */
public final class Ed25519Key {

    private static final Logger LOG = Logger.getLogger(Ed25519Key.class);
    private static final String ALGORITHM = "Ed25519";

    static {
        // Bouncy Castle's LTS build would otherwise unpack native libraries into the temp directory at every start (left
        // behind by a kill) and load them through a method the JDK restricts; its Java code is what is measured here
        if (System.getProperty("org.bouncycastle.native.cpu_variant") == null) {
            System.setProperty("org.bouncycastle.native.cpu_variant", "java");
        }
    }

    /** Length of the DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
    private static final int X509_PREFIX = 12;

    private final byte[] secret;
    private final PublicKey publicKey;
    private final byte[] rawPublic;
    private final String fingerprint;

    private Ed25519Key(PrivateKey privateKey, PublicKey publicKey) {
        if (!(privateKey instanceof EdECPrivateKey ed)) {
            throw new IllegalStateException("not an Ed25519 key");
        }
        this.secret = ed.getBytes().orElseThrow(() -> new IllegalStateException("the Ed25519 key has no secret bytes"));
        this.publicKey = publicKey;
        this.rawPublic = raw(publicKey);
        this.fingerprint = fingerprint(publicKey);
    }

    /** An operator's key file. */
    public static Ed25519Key load(Path file) {
        PrivateKey key = PemFiles.privateKey(file);
        if (!(key instanceof EdECPrivateKey ed) || !ALGORITHM.equalsIgnoreCase(ed.getParams().getName())) {
            throw new PemFiles.PemException(file, "holds a " + key.getAlgorithm() + " key, not an Ed25519 one"
                    + " (make one with: openssl genpkey -algorithm ed25519)");
        }
        return new Ed25519Key(key, derivePublic(ed));
    }

    /**
     * The key in {@code file}; when there is none, a new one written there (mode 600, never replacing a file that
     * appeared meanwhile) with its public key in {@code publicFile}.
     */
    public static Ed25519Key loadOrCreate(Path file, Path publicFile) {
        if (Files.exists(file)) {
            return load(file);
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            Ed25519Key key = new Ed25519Key(pair.getPrivate(), pair.getPublic());
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException raced) {
                return load(file);
            }
            Files.writeString(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            // owner-only like everything in the data directory; it is public, so copy it where it is needed
            Files.deleteIfExists(publicFile);
            Files.createFile(publicFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(publicFile, key.publicPem(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            LOG.infof("signing key %s created in %s (public key in %s)", key.fingerprint(), file, publicFile);
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("the signing key " + file + " could not be created: " + e.getClass().getSimpleName());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make Ed25519 keys: " + e.getMessage());
        }
    }

    /**
     * The public key of an Ed25519 private key: key generation is a function of its 32 secret bytes, so generating
     * with those bytes as the "random" input gives the pair back.
     */
    private static PublicKey derivePublic(EdECPrivateKey key) {
        byte[] secret = key.getBytes().orElseThrow(() -> new IllegalStateException("the Ed25519 key has no secret bytes"));
        FixedBytes source = new FixedBytes(secret);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, source);
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the public key could not be derived: " + e.getMessage());
        } finally {
            Arrays.fill(secret, (byte) 0);
            source.wipe();
        }
    }

    /** The 64-byte Ed25519 signature of {@code data}. */
    public byte[] sign(byte[] data) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(secret, 0, rawPublic, 0, data, 0, data.length, signature, 0);
        return signature;
    }

    /** The 32 bytes of an Ed25519 public key (the end of its X.509 encoding). */
    private static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX + Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, X509_PREFIX, der.length);
    }

    /** An Ed25519 public key from its DER (X.509 SubjectPublicKeyInfo) bytes. */
    public static PublicKey publicKey(byte[] der) {
        try {
            return java.security.KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(der));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }

    /** Whether {@code signature} is {@code key}'s over {@code data}; false for anything malformed. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        if (key == null || data == null || signature == null || signature.length != Ed25519.SIGNATURE_SIZE
                || !ALGORITHM.equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            return false;
        }
        try {
            Ed25519.PublicPoint point = point(raw(key));
            return point != null && Ed25519.verify(signature, 0, point, data, 0, data.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Decoded public keys: decoding is a sixth of a check, and the same few keys check every message. */
    private static final Map<java.nio.ByteBuffer, Optional<Ed25519.PublicPoint>> POINTS = new ConcurrentHashMap<>();
    private static final int MAX_POINTS = 16_384;

    /** The key's point, fully validated (on the curve, not of small order); null for a key that is not valid. */
    private static Ed25519.PublicPoint point(byte[] raw) {
        java.nio.ByteBuffer id = java.nio.ByteBuffer.wrap(raw);
        Optional<Ed25519.PublicPoint> known = POINTS.get(id);
        if (known == null) {
            if (POINTS.size() >= MAX_POINTS) {
                POINTS.clear(); // more keys than a fleet has: a flood of made-up ones; start over rather than grow
            }
            known = Optional.ofNullable(Ed25519.validatePublicKeyFullExport(raw, 0));
            POINTS.put(id, known);
        }
        return known.orElse(null);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** {@code SHA256:} and the unpadded base64 of the SHA-256 of the key's X.509 encoding. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a PEM file holds it ({@code -----BEGIN PUBLIC KEY-----}). */
    public String publicPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    @Override
    public String toString() {
        return "Ed25519Key[" + fingerprint() + "]";
    }

    /** A "random" source that gives back fixed bytes: only for deriving a public key. */
    private static final class FixedBytes extends SecureRandom {
        private final byte[] bytes;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            System.arraycopy(bytes, 0, out, 0, Math.min(bytes.length, out.length));
        }

        void wipe() {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
