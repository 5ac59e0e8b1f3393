package io.netwarden.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretAndTokenTest {

    @TempDir
    Path dir;

    @Test
    void aSecretNeverPrints() throws Exception {
        Secret secret = Secret.of("hunter2");
        assertEquals("<secret>", secret.toString());
        assertEquals("{\"password\":\"<secret>\"}", new ObjectMapper().writeValueAsString(Map.of("password", secret)));
        assertTrue(secret.matches("hunter2"));
        assertFalse(secret.matches("hunter3"));
        assertFalse(secret.matches(null));
    }

    @Test
    void tokenFileIsGeneratedOwnerOnlyAndReused() throws Exception {
        // Given
        Path file = dir.resolve("nested/api-token");

        // When
        Secret first = ApiToken.fromFile(file);
        Secret second = ApiToken.fromFile(file);

        // Then
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String stored = Files.readString(file);
        assertTrue(stored.length() >= 40, "256 random bits, base64url");
        assertTrue(first.matches(stored));
        assertTrue(second.matches(stored));
    }

    @Test
    void anEmptyTokenFileIsAnErrorNotAnOpenDoor() throws Exception {
        Path file = dir.resolve("api-token");
        Files.writeString(file, "\n");
        var e = assertThrows(IllegalStateException.class, () -> ApiToken.fromFile(file));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void weakTokensAreRefusedWithoutBeingShown() {
        for (String weak : new String[] {"short-token", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "éééééééééééééééééééééééééé",
                "token with spaces 0123456789", "line\nbreak-0123456789abcdefgh"}) {
            var e = assertThrows(IllegalStateException.class, () -> ApiToken.checked(Secret.of(weak), "the token"));
            assertFalse(e.getMessage().contains(weak), e.getMessage());
        }
        assertEquals("fine", ApiToken.checked(Secret.of("Zk3-q9Xw_7pLm2Vb8Rt5Yn1Hc4"), "the token").matches("Zk3-q9Xw_7pLm2Vb8Rt5Yn1Hc4")
                ? "fine" : "refused");
    }

    @Test
    void aTokenFileThatIsASymbolicLinkIsRefused() throws Exception {
        Path file = dir.resolve("api-token");
        Files.createSymbolicLink(file, dir.resolve("nowhere"));
        var e = assertThrows(IllegalStateException.class, () -> ApiToken.fromFile(file));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nowhere")), "nothing written through the link");
    }

    @Test
    void bearerHeaderParsing() {
        assertEquals("abc", BearerAuthFilter.bearer("Bearer abc"));
        assertEquals("abc", BearerAuthFilter.bearer("bearer  abc "));
        assertNull(BearerAuthFilter.bearer("Basic abc"));
        assertNull(BearerAuthFilter.bearer("Bearer "));
        assertNull(BearerAuthFilter.bearer(null));
    }
}
