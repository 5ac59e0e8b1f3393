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
        String raw = org.eclipse.microprofile.config.ConfigProvider.getConfig().getConfigValue("netwarden.api.token").getRawValue();
        if (raw != null && raw.isBlank()) {
            throw refused("NETWARDEN_API_TOKEN (netwarden.api.token) is set but holds only white space; set a token or unset it"
                    + " to have one generated");
        }
        if (config.api().token().isPresent()) {
            this.token = checked(config.api().token().get(), "NETWARDEN_API_TOKEN (netwarden.api.token)");
            LOG.info("API token: taken from NETWARDEN_API_TOKEN");
        } else {
            this.token = fromFile(config.dataDir().resolve(FILE_NAME).toAbsolutePath().normalize());
        }
    }

    /** Fewest different characters in a token: {@code aaaa…} has length but no strength. */
    static final int MIN_DISTINCT = 8;

    /**
     * Refuses a token that is too short, too uniform, or holds characters other than printable ASCII (an HTTP header
     * carries nothing else, so such a token could never be presented). Messages describe it, never show it.
     */
    static Secret checked(Secret token, String source) {
        String value = token.reveal();
        String hint = " (make one with: openssl rand -base64 32)";
        if (value.length() < MIN_LENGTH) {
            throw refused(source + " is " + value.length() + " characters long; an API token needs at least " + MIN_LENGTH + hint);
        }
        if (value.chars().anyMatch(c -> c < 0x21 || c > 0x7E)) {
            throw refused(source + " holds a character that is not printable ASCII (a space, a control character or a"
                    + " non-ASCII letter); an Authorization header cannot carry it" + hint);
        }
        if (value.chars().distinct().count() < MIN_DISTINCT) {
            throw refused(source + " uses fewer than " + MIN_DISTINCT + " different characters; it would be easy to guess" + hint);
        }
        return token;
    }

    private static IllegalStateException refused(String message) {
        LOG.error(message); // first, before Quarkus' start-up failure and its stack trace
        return new IllegalStateException(message);
    }

    public boolean accepts(String candidate) {
        return token.matches(candidate);
    }

    static Secret fromFile(Path file) {
        return fromFile(file, true);
    }

    private static Secret fromFile(Path file, boolean mayRetry) {
        try {
            if (Files.isSymbolicLink(file)) {
                throw refused("the API token file " + file + " is a symbolic link; it must be a regular file (mode 600)");
            }
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
                if (mayRetry) {
                    return fromFile(file, false); // another process sharing the data dir won the race; use its token
                }
                throw new UncheckedIOException("cannot create the API token file " + file, raced);
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
