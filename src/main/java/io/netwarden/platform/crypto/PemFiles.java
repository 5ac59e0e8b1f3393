package io.netwarden.platform.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads keys and certificates in the PEM files {@code openssl} writes, and builds TLS contexts from them: the one format
 * operators already have (NATS, MQTT and Kafka TLS, edge signing keys), without keystores.
 *
 * <pre>
 *   -----BEGIN CERTIFICATE-----   ─▶ certificates(path)      (one or more, e.g. a CA bundle)
 *   -----BEGIN PRIVATE KEY-----   ─▶ privateKey(path)        (PKCS#8: RSA, EC, Ed25519)
 *   -----BEGIN PUBLIC KEY-----    ─▶ publicKeys(path)        (X.509 SubjectPublicKeyInfo; one or more)
 *   -----BEGIN RSA/EC PRIVATE KEY ─▶ refused, with the openssl command that converts it
 * </pre>
 *
 * Errors are {@link PemException}s naming the file and what is wrong, never quoting its content. Thread safety:
 * stateless.
 */
public final class PemFiles {

    private static final List<String> KEY_ALGORITHMS = List.of("Ed25519", "EC", "RSA", "Ed448", "XDH");
    /** Larger than any key or CA bundle an operator would hand us; bounds what is read. */
    private static final long MAX_FILE = 1024 * 1024;

    private PemFiles() {
    }

    /** A PEM file that cannot be used; the message names the file and the problem, never the file's content. */
    public static final class PemException extends IllegalArgumentException {
        public PemException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    /** Every certificate in {@code file}, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) {
        List<byte[]> blocks = blocks(file, "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new PemException(file, "holds no '-----BEGIN CERTIFICATE-----' block");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return certificates;
        } catch (CertificateException e) {
            throw new PemException(file, "holds a certificate that cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The one PKCS#8 private key in {@code file}. */
    public static PrivateKey privateKey(Path file) {
        String text = read(file);
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new PemException(file, "holds a key in the old RSA/EC format; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in <old> -out <new>'");
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new PemException(file, "holds an encrypted key; give an unencrypted PKCS#8 key in a file only this "
                    + "process can read ('openssl pkcs8 -topk8 -nocrypt')");
        }
        List<byte[]> blocks = blocks(text, file, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new PemException(file, blocks.isEmpty() ? "holds no '-----BEGIN PRIVATE KEY-----' block"
                    : "holds " + blocks.size() + " private keys; give one");
        }
        byte[] der = blocks.getFirst();
        try {
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException notThisOne) {
                    // try the next algorithm
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PemException(file, "the private key cannot be read (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        throw new PemException(file, "holds a private key of an algorithm other than " + KEY_ALGORITHMS);
    }

    /** Every public key in {@code file} ({@code -----BEGIN PUBLIC KEY-----} blocks), in order; possibly none. */
    public static List<PublicKey> publicKeys(Path file) {
        List<PublicKey> keys = new ArrayList<>();
        int index = 0;
        for (byte[] der : blocks(file, "PUBLIC KEY")) {
            index++;
            keys.add(publicKey(file, index, der));
        }
        return keys;
    }

    private static PublicKey publicKey(Path file, int index, byte[] der) {
        try {
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                } catch (InvalidKeySpecException notThisOne) {
                    // try the next algorithm
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PemException(file, "public key " + index + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        throw new PemException(file, "public key " + index + " is of an algorithm other than " + KEY_ALGORITHMS);
    }

    /**
     * A TLS client context: trusts the certificates in {@code caFile} (else the JDK's default trust store) and, when
     * {@code certFile} and {@code keyFile} are given, presents that certificate chain.
     */
    public static SSLContext clientContext(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate: give both or neither");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile.isPresent()) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(caFile.get())) {
                    trusted.setCertificateEntry("ca-" + i++, ca);
                }
                trust.init(trusted);
            } else {
                trust.init((KeyStore) null);
            }
            KeyManagerFactory keys = null;
            if (certFile.isPresent()) {
                char[] password = new char[0];
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                own.setKeyEntry("client", privateKey(keyFile.get()), password,
                        certificates(certFile.get()).toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(own, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the TLS settings cannot be used: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private static List<byte[]> blocks(Path file, String label) {
        return blocks(read(file), file, label);
    }

    private static List<byte[]> blocks(String text, Path file, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = text.indexOf(begin, from);
            if (start < 0) {
                return blocks;
            }
            int stop = text.indexOf(end, start + begin.length());
            if (stop < 0) {
                throw new PemException(file, "a '" + begin + "' block has no end line");
            }
            String base64 = text.substring(start + begin.length(), stop).replaceAll("\\s+", "");
            try {
                blocks.add(Base64.getDecoder().decode(base64));
            } catch (IllegalArgumentException e) {
                throw new PemException(file, "a '" + begin + "' block is not valid base64");
            }
            from = stop + end.length();
        }
    }

    private static String read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new PemException(file, "is not a readable file");
            }
            if (Files.size(file) > MAX_FILE) {
                throw new PemException(file, "is larger than " + MAX_FILE + " bytes; not a PEM key or certificate file");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new PemException(file, "is not a PEM text file");
        } catch (IOException e) {
            throw new PemException(file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
