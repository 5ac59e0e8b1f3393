package io.netwarden.platform.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ed25519 keys as openssl makes and reads them: each side checks the other's files and signatures. */
class Ed25519KeyTest {

    @TempDir
    Path dir;

    private String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "openssl " + String.join(" ", args) + ":\n" + output);
        return output;
    }

    @Test
    void aKeyMadeAtFirstStartIsOneOpensslReadsAndSignsAsOpensslVerifies() throws Exception {
        // Given
        Path file = dir.resolve("keys/edge-signing.pem");
        Path pub = dir.resolve("keys/edge-signing.pub.pem");

        // When
        Ed25519Key key = Ed25519Key.loadOrCreate(file, pub);

        // Then: private key 600, public key beside it, both as openssl has them
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)), "as all in the data dir");
        assertEquals(openssl("pkey", "-in", file.toString(), "-pubout"), Files.readString(pub));
        Files.writeString(dir.resolve("data"), "ship1.command.shellCommand");
        Files.write(dir.resolve("sig"), key.sign("ship1.command.shellCommand".getBytes(StandardCharsets.UTF_8)));
        assertTrue(openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin", "-in", "data", "-sigfile", "sig")
                .contains("Signature Verified Successfully"));
        // and the next start reads the same key
        assertEquals(key.fingerprint(), Ed25519Key.loadOrCreate(file, pub).fingerprint());
    }

    @Test
    void anOperatorsOpensslKeyIsReadItsPublicKeyDerivedAndOpensslSignaturesVerify() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "op.pem");
        openssl("pkey", "-in", "op.pem", "-pubout", "-out", "op.pub.pem");
        Ed25519Key key = Ed25519Key.load(dir.resolve("op.pem"));
        assertEquals(Files.readString(dir.resolve("op.pub.pem")), key.publicPem());
        assertEquals(key.fingerprint(), Ed25519Key.fingerprint(PemFiles.publicKeys(dir.resolve("op.pub.pem")).getFirst()));

        Files.writeString(dir.resolve("data"), "id|ship1|ping");
        openssl("pkeyutl", "-sign", "-inkey", "op.pem", "-rawin", "-in", "data", "-out", "sig");
        byte[] signature = Files.readAllBytes(dir.resolve("sig"));
        assertArrayEquals(signature, key.sign("id|ship1|ping".getBytes(StandardCharsets.UTF_8)), "Ed25519 is deterministic");
        assertTrue(Ed25519Key.verify(key.publicKey(), "id|ship1|ping".getBytes(StandardCharsets.UTF_8), signature));
    }

    @Test
    void aWrongSignatureKeyOrMessageDoesNotVerify() throws Exception {
        Ed25519Key key = Ed25519Key.loadOrCreate(dir.resolve("a.pem"), dir.resolve("a.pub.pem"));
        Ed25519Key other = Ed25519Key.loadOrCreate(dir.resolve("b.pem"), dir.resolve("b.pub.pem"));
        byte[] data = "ship1|ping".getBytes(StandardCharsets.UTF_8);
        byte[] signature = key.sign(data);
        assertTrue(Ed25519Key.verify(key.publicKey(), data, signature));
        assertFalse(Ed25519Key.verify(other.publicKey(), data, signature));
        assertFalse(Ed25519Key.verify(key.publicKey(), "ship2|ping".getBytes(StandardCharsets.UTF_8), signature));
        signature[3] ^= 1;
        assertFalse(Ed25519Key.verify(key.publicKey(), data, signature));
        assertFalse(Ed25519Key.verify(key.publicKey(), data, new byte[12]));
        assertFalse(Ed25519Key.verify(key.publicKey(), data, null));
        assertTrue(Ed25519Key.verify(key.publicKey(), data, key.sign(data)), "the key's decoded form is kept and still checks");
    }

    @Test
    void aSmallOrderKeyVerifiesNothing() {
        // the identity point as a key: with it, R = S = the identity "signs" any message for a check that skips validation
        byte[] der = java.util.HexFormat.of().parseHex("302a300506032b6570032100" + "01" + "00".repeat(31));
        byte[] forged = new byte[64];
        forged[0] = 1;
        java.security.PublicKey identity = Ed25519Key.publicKey(der);
        assertFalse(Ed25519Key.verify(identity, "anything".getBytes(StandardCharsets.UTF_8), forged));
        assertFalse(Ed25519Key.verify(identity, "anything else".getBytes(StandardCharsets.UTF_8), forged));
    }

    @Test
    void itSignsExactlyAsTheJdkDoesAndTakesOnlyEd25519PublicKeys() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        Ed25519Key key = Ed25519Key.load(dir.resolve("k.pem"));
        byte[] data = "ship1.command.ping|42".getBytes(StandardCharsets.UTF_8);
        java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
        jdk.initSign(PemFiles.privateKey(dir.resolve("k.pem")));
        jdk.update(data);
        // Ed25519 is deterministic: the same key and bytes give the same signature, whichever code makes it
        assertArrayEquals(jdk.sign(), key.sign(data));
        // an X25519 key has an X.509 encoding of the same length: it is still not a key to verify with
        java.security.PublicKey x25519 = java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair().getPublic();
        assertEquals(key.publicKey().getEncoded().length, x25519.getEncoded().length);
        assertFalse(Ed25519Key.verify(x25519, data, key.sign(data)));
        assertFalse(Ed25519Key.verify(null, data, key.sign(data)));
    }

    @Test
    void otherKeysAreRefusedSayingWhatToDo() throws Exception {
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
        var refused = assertThrows(IllegalArgumentException.class, () -> Ed25519Key.load(dir.resolve("rsa.pem")));
        assertTrue(refused.getMessage().contains("not an Ed25519 one") && refused.getMessage().contains("openssl genpkey"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("MII"), "no key material in messages");
    }

    @Test
    void itPrintsAsItsFingerprintOnly() {
        Ed25519Key key = Ed25519Key.loadOrCreate(dir.resolve("k.pem"), dir.resolve("k.pub.pem"));
        assertEquals("Ed25519Key[" + key.fingerprint() + "]", key.toString());
        assertTrue(key.fingerprint().matches("SHA256:[A-Za-z0-9+/]{43}"), key.fingerprint());
    }
}
