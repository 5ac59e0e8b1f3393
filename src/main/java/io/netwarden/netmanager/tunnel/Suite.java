package io.netwarden.netmanager.tunnel;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AEAD ciphers a tunnel packet may be sealed with, both from the JDK, both with 256-bit keys, 96-bit nonces and
 * 128-bit tags. The sealed packet names its cipher in its first byte, so that nodes configured differently still
 * understand each other.
 */
public enum Suite {
    /** AES-256-GCM: fastest where the CPU has AES instructions (the JDK uses them). */
    AES_GCM(1, "aes-gcm", "AES/GCM/NoPadding", "AES"),
    /** ChaCha20-Poly1305: fast without AES instructions (small ARM edge boxes). */
    CHACHA20_POLY1305(2, "chacha20-poly1305", "ChaCha20-Poly1305", "ChaCha20");

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    final byte id;
    private final String configName;
    private final String transformation;
    private final String keyAlgorithm;

    Suite(int id, String configName, String transformation, String keyAlgorithm) {
        this.id = (byte) id;
        this.configName = configName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
    }

    /** The name in {@code netwarden.netmanager.tunnel.cipher}. */
    public String configName() {
        return configName;
    }

    /** The suite a config value names; an error listing the valid names otherwise. */
    public static Suite ofConfig(String name) {
        for (Suite suite : values()) {
            if (suite.configName.equalsIgnoreCase(name.strip())) {
                return suite;
            }
        }
        throw new IllegalArgumentException("netwarden.netmanager.tunnel.cipher is aes-gcm or chacha20-poly1305, not '"
                + name + "'");
    }

    static Suite ofId(byte id) {
        for (Suite suite : values()) {
            if (suite.id == id) {
                return suite;
            }
        }
        return null;
    }

    Cipher cipher() {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + transformation + ": " + e.getMessage());
        }
    }

    SecretKeySpec key(byte[] key) {
        return new SecretKeySpec(key, keyAlgorithm);
    }

    AlgorithmParameterSpec nonce(byte[] nonce) {
        return this == AES_GCM ? new GCMParameterSpec(TAG_BYTES * 8, nonce) : new IvParameterSpec(nonce);
    }
}
