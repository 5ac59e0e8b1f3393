package io.netwarden.edge.security;

import io.netwarden.edge.EdgeConfig;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.crypto.PemFiles;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's signing key and the keys it trusts, from {@code netwarden.edge.signing.*}: read once when the role
 * starts. Wrong files stop the role with a message naming the file (never its content). Immutable.
 */
public final class EdgeKeys {

    static final String GENERATED = "edge-signing.pem";
    static final String GENERATED_PUBLIC = "edge-signing.pub.pem";

    private final Ed25519Key own;
    private final List<PublicKey> trusted;

    private EdgeKeys(Ed25519Key own, List<PublicKey> trusted) {
        this.own = own;
        this.trusted = List.copyOf(trusted);
    }

    public static EdgeKeys load(EdgeConfig.Signing signing, NetwardenConfig platform) {
        Ed25519Key own = signing.privateKeyFile().map(Ed25519Key::load).orElseGet(() -> {
            Path dir = platform.dataDir();
            return Ed25519Key.loadOrCreate(dir.resolve(GENERATED), dir.resolve(GENERATED_PUBLIC));
        });
        List<PublicKey> trusted = new ArrayList<>();
        trusted.add(own.publicKey());
        signing.trustedKeysFile().ifPresent(file -> {
            List<PublicKey> keys = PemFiles.publicKeys(file);
            if (keys.isEmpty()) {
                throw new PemFiles.PemException(file, "holds no '-----BEGIN PUBLIC KEY-----' block");
            }
            trusted.addAll(keys);
        });
        return new EdgeKeys(own, trusted);
    }

    public Ed25519Key own() {
        return own;
    }

    /** The own key first, then those of the trusted-keys file. */
    public List<PublicKey> trusted() {
        return trusted;
    }
}
