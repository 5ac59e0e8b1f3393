package io.netwarden.platform.auth;

import io.netwarden.platform.config.NetwardenConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The admin bearer token. Taken from {@code NETWARDEN_API_TOKEN}, else from {@code <data dir>/api-token}, else
 * generated once and written there with mode 600. Only the file's path is ever logged.
 */
@Startup
@ApplicationScoped
public class ApiToken {

    private static final Logger LOG = Logger.getLogger(ApiToken.class);
    static final String FILE_NAME = "api-token";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Secret token;

    /** Shortest token accepted: a guessable token would make the API as open as no token. */
    public static final int MIN_LENGTH = 24;

    @Inject
    ApiToken(NetwardenConfig config) {
        if (config.api().token().isPresent()) {
            this.token = checked(config.api().token().get(), "NETWARDEN_API_TOKEN (netwarden.api.token)");
            LOG.info("API token: taken from NETWARDEN_API_TOKEN");
        } else {
            this.token = fromFile(config.dataDir().resolve(FILE_NAME).toAbsolutePath().normalize());
        }
    }

    /** Refuses a token shorter than {@link #MIN_LENGTH}; the message gives its length, never its value. */
    static Secret checked(Secret token, String source) {
        int length = token.reveal().length();
        if (length < MIN_LENGTH) {
            String message = source + " is " + length + " characters long; an API token needs at least " + MIN_LENGTH
                    + " (make one with: openssl rand -base64 32)";
            LOG.error(message); // first, before Quarkus' start-up failure and its stack trace
            throw new IllegalStateException(message);
        }
        return token;
    }

    public boolean accepts(String candidate) {
        return token.matches(candidate);
    }

    static Secret fromFile(Path file) {
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (stored.isEmpty()) {
                    throw new IllegalStateException("API token file " + file + " is empty; delete it to generate a new token");
                }
                warnIfOpen(file);
                Secret token = checked(Secret.of(stored), "the API token in " + file);
                LOG.infof("API token: read from %s", file);
                return token;
            }
            Files.createDirectories(file.getParent());
            String generated = generate();
            try {
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY)), generated,
                        StandardCharsets.UTF_8, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                return fromFile(file); // another process sharing the data dir won the race; use its token
            }
            LOG.infof("API token: generated and stored in %s (mode 600)", file);
            return Secret.of(generated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API token file " + file, e);
        }
    }

    private static void warnIfOpen(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                LOG.warnf("API token file %s is readable by others (%s); chmod 600 it",
                        file, PosixFilePermissions.toString(perms));
            }
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; nothing to check
        }
    }

    private static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
