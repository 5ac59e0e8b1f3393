package io.netwarden.platform.messaging;

import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.crypto.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * How this process proves itself to NATS and protects the link: at most one of user/password, token, a {@code .creds}
 * file (JWT + nkey seed, as {@code nsc} writes it) or an nkey seed file; and TLS with a CA and, optionally, a client
 * certificate (PEM files).
 *
 * <pre>
 *   netwarden.nats.user + password │ token │ creds-file │ nkey-seed-file   (none: no authentication)
 *   netwarden.nats.tls.ca-file, cert-file + key-file, or a tls:// URL  ─▶ TLS required (never falls back to plain)
 *   netwarden.nats.inbox-prefix  ─▶ replies (JetStream deliveries too) on <prefix>.>, for a user allowed only those
 * </pre>
 *
 * Everything is checked when the process starts ({@link #from} throws {@link IllegalArgumentException} naming the
 * setting); secrets stay {@link Secret}s and seeds are read into char arrays only when a connection signs in. Thread
 * safety: immutable.
 */
public final class NatsSecurity {

    private static final Logger LOG = Logger.getLogger(NatsSecurity.class);

    /** No authentication, no TLS. */
    public static final NatsSecurity NONE = new NatsSecurity(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), null, Optional.empty(), "no authentication, plain text");

    private final Optional<String> user;
    private final Optional<Secret> password;
    private final Optional<Secret> token;
    private final Optional<Path> credsFile;
    private final Optional<Path> nkeySeedFile;
    private final SSLContext tls;
    private final Optional<String> inboxPrefix;
    private final String description;

    private NatsSecurity(Optional<String> user, Optional<Secret> password, Optional<Secret> token, Optional<Path> credsFile,
            Optional<Path> nkeySeedFile, SSLContext tls, Optional<String> inboxPrefix, String description) {
        this.inboxPrefix = inboxPrefix;
        this.user = user;
        this.password = password;
        this.token = token;
        this.credsFile = credsFile;
        this.nkeySeedFile = nkeySeedFile;
        this.tls = tls;
        this.description = description;
    }

    /**
     * Checks and reads the settings.
     *
     * @param urls the configured server URLs ({@code tls://} asks for TLS)
     * @throws IllegalArgumentException naming the setting that is wrong (never a secret's value)
     */
    public static NatsSecurity from(NetwardenConfig.Nats nats, String urls) {
        Optional<String> user = nats.user().map(String::strip).filter(u -> !u.isEmpty());
        if (user.isPresent() != nats.password().isPresent()) {
            throw new IllegalArgumentException("netwarden.nats.user and netwarden.nats.password go together: give both or neither");
        }
        List<String> methods = new ArrayList<>();
        user.ifPresent(u -> methods.add("user/password"));
        nats.token().ifPresent(t -> methods.add("token"));
        nats.credsFile().ifPresent(f -> methods.add("creds-file"));
        nats.nkeySeedFile().ifPresent(f -> methods.add("nkey-seed-file"));
        if (methods.size() > 1) {
            throw new IllegalArgumentException("NATS authentication: give one of netwarden.nats.user/password, token, "
                    + "creds-file or nkey-seed-file, not " + String.join(" and ", methods));
        }
        nats.credsFile().ifPresent(NatsSecurity::checkCreds);
        nats.nkeySeedFile().ifPresent(file -> {
            wipe(readSeed(file));
            warnIfOpen(file);
        });
        NetwardenConfig.Nats.Tls settings = nats.tls();
        boolean wantTls = settings.caFile().isPresent() || settings.certFile().isPresent() || settings.keyFile().isPresent()
                || Arrays.stream(urls.split(",")).anyMatch(u -> u.strip().startsWith("tls://"));
        SSLContext tls = null;
        if (wantTls) {
            settings.keyFile().ifPresent(NatsSecurity::warnIfOpen);
            try {
                tls = PemFiles.clientContext(settings.caFile(), settings.certFile(), settings.keyFile());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("netwarden.nats.tls: " + e.getMessage());
            }
        }
        String auth = methods.isEmpty() ? "no authentication" : methods.getFirst()
                + (user.isPresent() ? " (user " + user.get() + ")" : "");
        String link = !wantTls ? "plain text" : "TLS" + (settings.caFile().isPresent() ? " (own CA)" : " (JDK trust store)")
                + (settings.certFile().isPresent() ? " with a client certificate" : "");
        Optional<String> inbox = nats.inboxPrefix().map(String::strip).filter(p -> !p.isEmpty());
        inbox.ifPresent(prefix -> {
            if (prefix.length() > 64 || !prefix.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
                throw new IllegalArgumentException("netwarden.nats.inbox-prefix must be subject tokens (letters, digits, _"
                        + " and -, separated by dots; no wildcards), at most 64 characters");
            }
        });
        return new NatsSecurity(user, nats.password(), nats.token(), nats.credsFile(), nats.nkeySeedFile(), tls, inbox,
                auth + ", " + link + inbox.map(p -> ", replies on " + p + ".>").orElse(""));
    }

    /** What is in use, for the start-up log: the method and the user name, never a secret. */
    public String description() {
        return description;
    }

    /** Puts authentication and TLS on a connection's options. */
    void apply(Options.Builder builder) {
        if (user.isPresent()) {
            builder.userInfo(user.get().toCharArray(), password.orElseThrow().reveal().toCharArray());
        }
        token.ifPresent(t -> builder.token(t.reveal().toCharArray()));
        credsFile.ifPresent(file -> builder.authHandler(Nats.credentials(file.toString())));
        nkeySeedFile.ifPresent(file -> builder.authHandler(new SeedFileAuth(file)));
        if (tls != null) {
            builder.sslContext(tls);
        }
        inboxPrefix.ifPresent(builder::inboxPrefix);
    }

    private static void checkCreds(Path file) {
        String text;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > 64 * 1024) {
                throw new IllegalArgumentException("netwarden.nats.creds-file " + file + " is not a readable creds file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("netwarden.nats.creds-file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!text.contains("-----BEGIN NATS USER JWT-----") || !text.contains("-----BEGIN USER NKEY SEED-----")) {
            throw new IllegalArgumentException("netwarden.nats.creds-file " + file
                    + " is not a NATS creds file (it needs a user JWT and a user nkey seed, as 'nsc generate creds' writes)");
        }
        warnIfOpen(file);
    }

    /** The seed in {@code file}, checked to be an nkey seed; the caller wipes it. */
    private static char[] readSeed(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
                throw new IllegalArgumentException("netwarden.nats.nkey-seed-file " + file + " is not a readable seed file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("netwarden.nats.nkey-seed-file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        // the file is the seed itself (SU…), perhaps with a line end; or nk's output, one seed on some line
        char[] seed = null;
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n' || bytes[i] == '\r') {
                int end = i;
                while (start < end && Character.isWhitespace(bytes[start])) {
                    start++;
                }
                while (end > start && Character.isWhitespace(bytes[end - 1])) {
                    end--;
                }
                if (end - start > 2 && bytes[start] == 'S' && bytes[start + 1] == 'U') {
                    seed = new char[end - start];
                    for (int j = 0; j < seed.length; j++) {
                        seed[j] = (char) bytes[start + j];
                    }
                    break;
                }
                start = i + 1;
            }
        }
        Arrays.fill(bytes, (byte) 0);
        if (seed == null) {
            throw new IllegalArgumentException("netwarden.nats.nkey-seed-file " + file + " holds no user nkey seed (a line starting with SU)");
        }
        try {
            NKey.fromSeed(seed).getPublicKey();
        } catch (IllegalArgumentException | IllegalStateException | GeneralSecurityException | IOException e) {
            wipe(seed);
            throw new IllegalArgumentException("netwarden.nats.nkey-seed-file " + file + " holds no valid user nkey seed");
        }
        return seed;
    }

    private static void wipe(char[] secret) {
        Arrays.fill(secret, '\0');
    }

    /** Like ssh, says so when a file with a secret in it can be read by others. */
    private static void warnIfOpen(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warnf("%s holds a secret and can be read by other users; chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }

    /** Signs the server's nonce with the seed in a file, read for each sign-in and wiped after. */
    private record SeedFileAuth(Path file) implements AuthHandler {
        @Override
        public byte[] sign(byte[] nonce) {
            char[] seed = readSeed(file);
            try {
                return NKey.fromSeed(seed).sign(nonce);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("signing the NATS nonce with the seed in " + file + " failed");
            } finally {
                wipe(seed);
            }
        }

        @Override
        public char[] getID() {
            char[] seed = readSeed(file);
            try {
                return NKey.fromSeed(seed).getPublicKey();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("the seed in " + file + " cannot be used");
            } finally {
                wipe(seed);
            }
        }

        @Override
        public char[] getJWT() {
            return null;
        }
    }
}
