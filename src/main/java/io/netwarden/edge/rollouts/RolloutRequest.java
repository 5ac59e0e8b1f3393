package io.netwarden.edge.rollouts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.edge.EdgeError;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.messaging.Subjects;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The body of {@code POST /api/v1/edge/rollouts}: {@code {"message":{…},"nodes":[…]|"*","waveSize":10,"maxFailures":1}}.
 * The message is a steward message without {@code toNode}/{@code toNodes} (the rollout says where it goes); whether
 * it is a valid message is checked by the caller, as for {@code /api/v1/edge/messages}. Every problem is a 400
 * {@code invalid_message} naming the field.
 */
public record RolloutRequest(ObjectNode message, List<String> nodes, int waveSize, int maxFailures) {

    public static final int MAX_NODES = 10_000;
    public static final int MAX_WAVE = 1000;
    private static final Set<String> FIELDS = Set.of("message", "nodes", "waveSize", "maxFailures");

    /** @param known the node list, for {@code "*"}: present on the central only */
    public static RolloutRequest parse(JsonNode body, Supplier<Optional<List<String>>> known) {
        if (body == null || !body.isObject()) {
            throw invalid("the body is an object {\"message\",\"nodes\",\"waveSize\",\"maxFailures\"}");
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field (fields: " + FIELDS.stream().sorted().toList() + ")");
            }
        });
        JsonNode message = body.get("message");
        if (message == null || !message.isObject()) {
            throw invalid("message is required: the steward message to roll out");
        }
        if (message.has("toNode") || message.has("toNodes")) {
            throw invalid("message has no toNode or toNodes: nodes says where it goes");
        }
        JsonNode nodesNode = body.get("nodes");
        List<String> nodes;
        if (nodesNode != null && nodesNode.isTextual() && nodesNode.textValue().equals("*")) {
            nodes = known.get().orElseThrow(() -> invalid("nodes \"*\" is for the central, which keeps the node list"));
        } else if (nodesNode != null && nodesNode.isArray()) {
            Set<String> unique = new LinkedHashSet<>();
            for (JsonNode node : nodesNode) {
                if (!node.isTextual()) {
                    throw invalid("nodes holds node names (strings)");
                }
                try {
                    unique.add(Subjects.requireToken("nodes", node.textValue()));
                } catch (IllegalArgumentException e) {
                    throw invalid(e.getMessage());
                }
                if (unique.size() > MAX_NODES) {
                    break;
                }
            }
            nodes = new ArrayList<>(unique);
        } else {
            throw invalid("nodes is an array of node names or \"*\"");
        }
        if (nodes.isEmpty() || nodes.size() > MAX_NODES) {
            throw invalid("nodes names 1-" + MAX_NODES + " nodes" + (nodes.isEmpty() ? " (none known yet?)" : ""));
        }
        int waveSize = number(body, "waveSize", 10, 1, MAX_WAVE);
        int maxFailures = number(body, "maxFailures", 0, 0, MAX_NODES);
        return new RolloutRequest((ObjectNode) message, List.copyOf(nodes), waveSize, maxFailures);
    }

    private static int number(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            throw invalid(field + " is a whole number " + min + "-" + max);
        }
        return value.asInt();
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest(EdgeError.INVALID_MESSAGE.code(), message);
    }
}
