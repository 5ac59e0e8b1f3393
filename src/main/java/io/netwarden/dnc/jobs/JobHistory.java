package io.netwarden.dnc.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's status changes as they are kept in its row ({@code job.transitions}): a JSON array of
 * {@code {"status","agent","attempt","at","detail"}}, oldest first, {@code at} an ISO-8601 instant, absent fields null.
 * Kept in the row rather than in a table of their own so that each step of a job writes one row (see
 * docs/adr/0004-job-writes-in-batches.md). Stateless and thread-safe.
 */
final class JobHistory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 2000;

    private JobHistory() {
    }

    /** {@code history} with {@code t} appended; {@code history} may be null (no transitions yet). */
    static String append(String history, JobView.Transition t) {
        StringBuilder entry = new StringBuilder(96).append("{\"status\":");
        quote(entry, t.status());
        if (t.agent() != null) {
            quote(entry.append(",\"agent\":"), t.agent());
        }
        entry.append(",\"attempt\":").append(t.attempt());
        quote(entry.append(",\"at\":"), t.at().toString());
        if (t.detail() != null) {
            quote(entry.append(",\"detail\":"), truncate(t.detail()));
        }
        entry.append('}');
        if (history == null || history.isBlank() || history.equals("[]")) {
            return "[" + entry + "]";
        }
        if (!history.endsWith("]")) {
            throw new IllegalStateException("job history is not a JSON array: " + abbreviated(history));
        }
        return history.substring(0, history.length() - 1) + "," + entry + "]";
    }

    /** The transitions in {@code history} (null: none). */
    static List<JobView.Transition> read(String history) {
        if (history == null || history.isBlank()) {
            return List.of();
        }
        try {
            JsonNode array = JSON.readTree(history);
            if (!array.isArray()) {
                throw new IllegalStateException("job history is not a JSON array: " + abbreviated(history));
            }
            List<JobView.Transition> out = new ArrayList<>(array.size());
            for (JsonNode t : array) {
                out.add(new JobView.Transition(t.path("status").asText(), text(t, "agent"), t.path("attempt").asInt(),
                        Instant.parse(t.path("at").asText()), text(t, "detail")));
            }
            return out;
        } catch (JsonProcessingException | DateTimeParseException e) {
            throw new IllegalStateException("job history is unreadable: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        out.append('"');
    }

    static String truncate(String s) {
        return s == null || s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL - 1) + "…";
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "…";
    }
}
