package io.netwarden.edge.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.platform.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox file's rounds with a recording submitter (the real sending is in EdgeMessagesTest and EdgeFleetIT). */
class InboxTest {

    private static final String SEED_COMMAND = """
            [
            {
            "toNode": "ship1",
            "data": ["bash","-c","ls -l ../"],
            "commandOrEvent":"command",
            "method":"shellCommand"
            }
            ]
            """;

    @TempDir
    Path dir;

    private Path file;
    private final List<JsonNode> submitted = new ArrayList<>();
    private final List<String> reports = new ArrayList<>();
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");
    private RuntimeException failure;
    private Inbox inbox;

    @BeforeEach
    void inbox() throws Exception {
        file = dir.resolve("inmsg.txt");
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        inbox = new Inbox(file, "ship9", Duration.ofSeconds(1), this::submit,
                (node, id, method, error, text) -> reports.add(node + " " + method + " " + error.code() + " " + text), clock);
        inbox.start();
        inbox.close(); // the file is made; the rounds are driven by the test
    }

    private List<EdgeMessage> submit(JsonNode body) {
        if (failure != null) {
            throw failure;
        }
        if (!body.toString().contains("toNode")) {
            throw ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), "toNode (or toNodes) is required");
        }
        submitted.add(body);
        return List.of();
    }

    private void append(String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void theFileIsCreatedPrivate() throws Exception {
        assertTrue(Files.exists(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void theSeedsExampleIsSentAndTheFileEmptied() throws Exception {
        append(SEED_COMMAND);
        append("{\"toNode\":\"central\",\"data\":[\"some message sent from a ship for testing\\n\"],"
                + "\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}\n");
        inbox.poll();
        assertEquals(2, submitted.size());
        assertEquals("ship1", submitted.get(0).get(0).get("toNode").asText());
        assertEquals("bash", submitted.get(0).get(0).get("data").get(0).asText());
        assertEquals("textLogging", submitted.get(1).get("method").asText());
        assertEquals(0, Files.size(file));
        assertEquals(List.of(), reports);
    }

    @Test
    void brokenEntriesAreReportedAndDoNotHoldUpTheGoodOnesAfterThem() throws Exception {
        append("{\"toNode\": ship1, \"secret\": \"do-not-echo\"}\n"); // not JSON
        append("this line is no JSON at all\n");
        append("{\"data\":[],\"commandOrEvent\":\"command\",\"method\":\"ping\"}\n"); // JSON, not a valid message
        append(SEED_COMMAND);
        inbox.poll();
        assertEquals(1, submitted.size(), "the good entry after three broken ones");
        assertEquals(3, reports.size(), reports.toString());
        assertTrue(reports.get(0).startsWith("ship9 inbox invalid_message inmsg.txt line 1: the entry is not valid JSON"),
                reports.get(0));
        assertTrue(reports.get(1).contains("line 2: the entry is not a JSON message"), reports.get(1));
        assertTrue(reports.get(2).contains("line 3: the entry toNode (or toNodes) is required"), reports.get(2));
        reports.forEach(r -> assertTrue(!r.contains("do-not-echo") && !r.contains("ship1"), "never quoted: " + r));
        assertEquals(0, Files.size(file));
    }

    @Test
    void anEntryStillBeingWrittenWaitsAndOneNeverClosedIsDroppedAfterTheGrace() throws Exception {
        append("[{\"toNode\":\"ship1\",\"commandOrEvent\":\"command\",");
        inbox.poll();
        assertEquals(List.of(), submitted);
        assertTrue(Files.size(file) > 0, "kept: the writer may not be done");
        append("\"method\":\"ping\"}]\n");
        inbox.poll();
        assertEquals(1, submitted.size(), "completed, then sent");
        assertEquals(0, Files.size(file));

        append("{\"toNode\":\"ship1\",\n");
        append(SEED_COMMAND); // a good entry on the lines after a value that never closes
        inbox.poll();
        now = now.plusSeconds(1);
        inbox.poll();
        assertEquals(1, submitted.size(), "still within the grace");
        now = now.plus(Inbox.OPEN_GRACE);
        inbox.poll();
        assertEquals(1, reports.size(), reports.toString());
        assertTrue(reports.getFirst().contains("line 1: the entry was never closed"), reports.getFirst());
        inbox.poll();
        assertEquals(2, submitted.size(), "the good entry after it is sent");
        assertEquals(0, Files.size(file));
    }

    @Test
    void whenSendingFailsForAnotherReasonTheEntryAndTheRestStay() throws Exception {
        append(SEED_COMMAND);
        append(SEED_COMMAND.replace("ship1", "ship2"));
        failure = new ApiException(503, "edge_not_running", "the edge-node role is not running (yet)");
        inbox.poll();
        assertEquals(List.of(), submitted);
        assertEquals(List.of(), reports);
        assertEquals(2 * SEED_COMMAND.length(), Files.size(file));
        failure = null;
        inbox.poll();
        assertEquals(2, submitted.size());
        assertEquals("ship2", submitted.get(1).get(0).get("toNode").asText());
        assertEquals(0, Files.size(file));
    }

    @Test
    void aFileOthersMayWriteIsNotRead() throws Exception {
        append(SEED_COMMAND);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        inbox.poll();
        assertEquals(List.of(), submitted, "whoever may write it could send signed commands as this node");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        inbox.poll();
        assertEquals(1, submitted.size());
    }

    @Test
    void bracketsInsideStringsAndMultiByteTextDoNotConfuseTheSplit() throws Exception {
        append("{\"toNode\":\"ship1\",\"data\":[\"}]{[\\\" ⛴ Schiff\"],\"commandOrEvent\":\"event\",\"method\":\"textLogging\"}");
        inbox.poll();
        assertEquals(1, submitted.size(), reports.toString());
        assertEquals("}]{[\" ⛴ Schiff", submitted.getFirst().get("data").get(0).asText());
    }

    @Test
    void anOpenEntryThatKeepsGrowingIsStillDroppedTwoSecondsAfterItWasFirstSeen() throws Exception {
        append("{\"toNode\":\"ship1\",\n");
        inbox.poll();
        for (int i = 0; i < 3; i++) {
            now = now.plusSeconds(1);
            append(SEED_COMMAND); // appends go on, inside the entry that never closes
            inbox.poll();
        }
        assertEquals(1, reports.size(), "dropped although it grew: " + reports);
        inbox.poll();
        inbox.poll();
        assertEquals(3, submitted.size(), "the good entries after it are sent");
    }
}
