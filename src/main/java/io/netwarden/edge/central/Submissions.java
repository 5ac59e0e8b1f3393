package io.netwarden.edge.central;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.edge.EdgeConfig;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeRequests;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.CopyFile;
import io.netwarden.edge.methods.FileChunks;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.messaging.durable.Outgoing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What users hand this node to send — the API's and the inbox file's steward JSON, a rollout's message per node —
 * checked and given to the {@link EdgeSender}.
 *
 * <pre>
 *   body ─▶ EdgeRequests.parse (defaults, "*" = known nodes) ─▶ per copy: fits a durable message? copyFile a command
 *        whose source may be sent? ─ no ─▶ 400, nothing stored
 *        ─▶ EdgeSender.sendAll: every message of the body (a broadcast's copies too) in one transaction
 * </pre>
 *
 * Thread safety: immutable; the sender is thread-safe.
 */
public final class Submissions {

    /** What a signature and key id add to a message as sent. */
    private static final int SIGNATURE_ROOM = 512;

    private final EdgeSender sender;
    private final FileChunks chunks;
    private final EdgeConfig config;
    private final Supplier<Optional<List<String>>> knownNodes;

    /** @param knownNodes the node list for {@code "*"}: present on the central only */
    public Submissions(EdgeSender sender, FileChunks chunks, EdgeConfig config, Supplier<Optional<List<String>>> knownNodes) {
        this.sender = sender;
        this.chunks = chunks;
        this.config = config;
        this.knownNodes = knownNodes;
    }

    /**
     * Sends the steward JSON (one message object or an array): one stored, signed copy per recipient. Returns them; an
     * invalid body is an {@link ApiException} 400 and sends nothing.
     */
    public List<EdgeMessage> submit(JsonNode body) {
        return store(body, Optional.empty());
    }

    /** One message of a request as its answer lists it. */
    public record Copy(String id, String subject, String toNode, String status) {
    }

    /** What a request with an idempotency key got: its messages, and whether they were stored by an earlier request. */
    public record Outcome(List<Copy> copies, boolean replayed) {
    }

    /**
     * {@link #submit(JsonNode)} under an idempotency key: the first request with the key stores its messages and the
     * key in one transaction; a later one with the same key and body gets those messages (their status now) and sends
     * nothing; with another body it is refused (422). Two at once with one key: one stores, the other gets its messages.
     */
    public Outcome submit(JsonNode body, String idempotencyKey) {
        String hash = sha256(canonical(body));
        Optional<Outcome> earlier = replay(idempotencyKey, hash);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        List<EdgeMessage> sent;
        try {
            sent = store(body, Optional.of(new MessageLog.Submission(idempotencyKey, hash, List.of())));
        } catch (MessageLog.KeyTaken e) {
            return replay(idempotencyKey, hash).orElseThrow(() -> new ApiException(409, EdgeError.IDEMPOTENCY_KEY_REUSED
                    .code(), "another request with this Idempotency-Key is being stored; try again"));
        }
        return new Outcome(sent.stream().map(m -> new Copy(m.id(), m.subject(), m.toNode(), "pending")).toList(), false);
    }

    private Optional<Outcome> replay(String key, String hash) {
        Optional<MessageLog.Submission> stored = sender.log().submission(key);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (!stored.get().bodySha256().equals(hash)) {
            throw new ApiException(422, EdgeError.IDEMPOTENCY_KEY_REUSED.code(), "this Idempotency-Key was used with"
                    + " another body; a new request needs a new key");
        }
        java.util.Map<String, MessageLog.Entry> entries = new java.util.HashMap<>();
        sender.log().findAll(stored.get().messageIds()).forEach(e -> entries.put(e.id(), e));
        // in the order first answered; one deleted meanwhile (older than the retention) is left out
        return Optional.of(new Outcome(stored.get().messageIds().stream().map(entries::get).filter(java.util.Objects::nonNull)
                .map(e -> new Copy(e.id(), e.subject(), e.toNode(), e.status())).toList(), true));
    }

    /** The body with every object's fields in name order: the same JSON written another way has the same hash. */
    static String canonical(JsonNode node) {
        if (node.isObject()) {
            StringBuilder out = new StringBuilder("{");
            java.util.List<String> names = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            for (int i = 0; i < names.size(); i++) {
                out.append(i == 0 ? "" : ",").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(names.get(i)))
                        .append(':').append(canonical(node.get(names.get(i))));
            }
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",").append(canonical(node.get(i)));
            }
            return out.append(']').toString();
        }
        return node.toString();
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses, checks and stores a body (with its key, given the message ids once known); the messages stored. */
    private List<EdgeMessage> store(JsonNode body, Optional<MessageLog.Submission> key) {
        List<EdgeMessage> sent = new ArrayList<>();
        List<MessageLog.NewMessage> storing = new ArrayList<>();
        for (EdgeRequests.Parsed entry : prepare(body)) {
            entry.messages().forEach(m -> storing.add(new MessageLog.NewMessage(m, entry.retries())));
            sent.addAll(entry.messages());
        }
        try {
            sender.sendAll(storing, key.map(k -> new MessageLog.Submission(k.key(), k.bodySha256(),
                    sent.stream().map(EdgeMessage::id).toList())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "edge_not_running", "stopping; what was stored is sent after the restart");
        } catch (SendQueue.Stopping e) {
            throw new ApiException(503, "edge_not_running", "the edge-node role is stopping; nothing was stored");
        }
        return sent;
    }

    /** Reads and checks a steward body (a copy's source too) without sending anything. */
    public List<EdgeRequests.Parsed> prepare(JsonNode body) {
        List<EdgeRequests.Parsed> parsed = parse(body);
        long total = 0;
        for (EdgeRequests.Parsed entry : parsed) {
            for (EdgeMessage message : entry.messages()) {
                total += check(message);
                if (total > MAX_REQUEST_BYTES) {
                    throw ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), "the messages of one request come to more"
                            + " than " + MAX_REQUEST_BYTES / (1024 * 1024) + " MiB as sent (data, or a copied file, times"
                            + " recipients); send fewer or smaller ones per request, or a rollout for many nodes");
                }
            }
        }
        return parsed;
    }

    /** What one request may store and publish in all (a small body with many recipients multiplies its data). */
    static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

    private List<EdgeRequests.Parsed> parse(JsonNode body) {
        return EdgeRequests.parse(body, sender.self(), config.defaultTimeout(), config.defaultTtl(), config.maxTtl(),
                Instant.now(), knownNodes);
    }

    /**
     * What is checked per copy, beyond the request's fields: it fits a message; a copyFile is a command that may go.
     * Returns its size as sent (a copyFile's: its file's).
     */
    private long check(EdgeMessage message) {
        int size = EdgeWire.write(message).length + SIGNATURE_ROOM;
        if (size > Outgoing.MAX_DATA) {
            throw ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), "the message to " + message.toNode() + " is "
                    + size + " bytes as sent, more than " + Outgoing.MAX_DATA + " (send files with copyFile)");
        }
        if (message.method().equals(CopyFile.NAME) && message.kind() != EdgeMessage.Kind.command) {
            throw ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), "copyFile is sent as a command");
        }
        if (message.method().equals(CopyFile.NAME)) {
            try {
                return Math.max(size, chunks.check(message.data()));
            } catch (FileChunks.NotSendable e) {
                throw ApiException.badRequest(EdgeError.NOT_ALLOWED.code(), e.getMessage());
            }
        }
        return size;
    }

    /** A rollout's message as sent to its first node: checked like any message, the 400 naming it {@code message}. */
    public EdgeMessage checkRolloutMessage(ObjectNode template, String firstNode) {
        try {
            return prepare(template.deepCopy().put("toNode", firstNode)).getFirst().messages().getFirst();
        } catch (ApiException e) {
            throw ApiException.badRequest(e.code(), "message: " + e.getMessage());
        }
    }

    /**
     * A rollout's message to one node, under the id the rollout gave it, unless it was sent already. One that cannot be
     * sent to this node (too large with its name, a copy whose source is gone) is stored failed, so the rollout counts
     * it rather than waiting for it.
     */
    public void sendRolloutMessage(JsonNode template, String node, String messageId) {
        if (sender.log().find(messageId).isPresent()) {
            return;
        }
        EdgeRequests.Parsed parsed = parse(((ObjectNode) template.deepCopy()).put("toNode", node)).getFirst();
        EdgeMessage m = parsed.messages().getFirst();
        EdgeMessage message = new EdgeMessage(messageId, m.fromNode(), m.toNode(), m.kind(), m.method(), m.data(), m.timeout(),
                m.expiresAt(), Optional.empty(), Optional.empty());
        try {
            check(message);
        } catch (ApiException e) {
            sender.storeFailed(message, parsed.retries(), e.code().equals(EdgeError.NOT_ALLOWED.code()) ? EdgeError.NOT_ALLOWED
                    : EdgeError.INVALID_MESSAGE, e.getMessage());
            return;
        }
        sender.send(message, parsed.retries());
    }
}
