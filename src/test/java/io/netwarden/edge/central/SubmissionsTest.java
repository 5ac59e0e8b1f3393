package io.netwarden.edge.central;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.edge.EdgeConfig;
import io.netwarden.edge.methods.AllowedDirectories;
import io.netwarden.edge.methods.FileChunks;
import io.netwarden.platform.api.ApiException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one request may put in the stream, counted as sent: a copied file counts once per recipient. */
@QuarkusTest
class SubmissionsTest {

    @Inject
    EdgeConfig config;

    @TempDir
    Path outbox;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Submissions submissions() {
        FileChunks chunks = new FileChunks(new AllowedDirectories(List.of(outbox)), 8L * 1024 * 1024);
        // prepare() reads and checks only: the sender is asked for its name, nothing is sent
        EdgeSender sender = new EdgeSender("central", null, null, null, Duration.ofSeconds(1), Duration.ofSeconds(1), null,
                null, null, chunks, null);
        return new Submissions(sender, chunks, config, Optional::empty);
    }

    private String copyTo(int recipients, Path file) {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < recipients; i++) {
            nodes.append(i == 0 ? "" : ",").append("\"ship").append(i).append('"');
        }
        return "{\"toNodes\":[" + nodes + "],\"data\":[\"" + file + "\",\"/srv/bundle.tar\"],\"commandOrEvent\":\"command\","
                + "\"method\":\"copyFile\"}";
    }

    @Test
    void aCopiedFileCountsOncePerRecipientAgainstTheRequestsLimit() throws Exception {
        Path bundle = Files.write(outbox.resolve("bundle.tar"), new byte[1024 * 1024]);

        assertEquals(60, submissions().prepare(JSON.readTree(copyTo(60, bundle))).getFirst().messages().size(),
                "60 MiB as sent: within the limit");
        ApiException refused = assertThrows(ApiException.class, () -> submissions().prepare(JSON.readTree(copyTo(70, bundle))));

        assertEquals(400, refused.status());
        assertEquals("invalid_message", refused.code());
        assertTrue(refused.getMessage().contains("a copied file, times recipients"), refused.getMessage());
        assertTrue(refused.getMessage().contains("rollout"), refused.getMessage());
    }
}
