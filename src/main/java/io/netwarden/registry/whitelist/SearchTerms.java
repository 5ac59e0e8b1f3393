package io.netwarden.registry.whitelist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The URN whitelist as it applies now: an SSDP advertisement is registered only when its URN is here, under the URN's
 * tag. Thread-safe: an immutable map from URN to tag (each URN has exactly one), replaced whole under this object's lock
 * and read without one.
 */
@Singleton
public class SearchTerms {

    private volatile Map<String, String> tagByUrn = Map.of();

    /** Adds or re-tags a URN. */
    public synchronized void put(SearchTerm term) {
        Map<String, String> next = new HashMap<>(tagByUrn);
        next.put(term.urn(), term.tag());
        tagByUrn = Map.copyOf(next);
    }

    public synchronized boolean remove(String urn) {
        if (!tagByUrn.containsKey(urn)) {
            return false;
        }
        Map<String, String> next = new HashMap<>(tagByUrn);
        next.remove(urn);
        tagByUrn = Map.copyOf(next);
        return true;
    }

    /** Replaces the whole whitelist: URN → tag. */
    public synchronized void replaceAll(Map<String, String> terms) {
        tagByUrn = Map.copyOf(terms);
    }

    /** The whitelist now: URN → tag (an immutable snapshot). */
    public Map<String, String> asMap() {
        return tagByUrn;
    }

    public Optional<String> tagOf(String urn) {
        return Optional.ofNullable(tagByUrn.get(urn));
    }

    /** All terms, sorted by tag then URN. */
    public List<SearchTerm> list() {
        List<SearchTerm> terms = new ArrayList<>();
        tagByUrn.forEach((urn, tag) -> terms.add(new SearchTerm(urn, tag)));
        terms.sort(Comparator.comparing(SearchTerm::tag).thenComparing(SearchTerm::urn));
        return terms;
    }

    /** Terms from {@code netwarden.registry.tags}: tag → URNs. */
    public static List<SearchTerm> fromConfig(Map<String, List<String>> tags) {
        List<SearchTerm> terms = new ArrayList<>();
        tags.forEach((tag, urns) -> urns.stream().map(String::strip).filter(u -> !u.isEmpty())
                .forEach(urn -> terms.add(new SearchTerm(urn, tag))));
        return terms;
    }

    /**
     * Terms from the Service Registry's {@code registry.json}: {@code {"ssdp":{"tags":{"Tag":["urn", …]}}}}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static List<SearchTerm> fromRegistryJson(Path file, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read registry file " + file + ": " + e.getMessage(), e);
        }
        JsonNode tags = root == null ? null : root.path("ssdp").path("tags");
        if (tags == null || !tags.isObject()) {
            throw new IllegalArgumentException("registry file " + file + " has no object at ssdp.tags");
        }
        List<SearchTerm> terms = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : tags.properties()) {
            if (!entry.getValue().isArray()) {
                throw new IllegalArgumentException("registry file " + file + ": ssdp.tags." + entry.getKey()
                        + " must be an array of URNs");
            }
            for (JsonNode urn : entry.getValue()) {
                if (!urn.isTextual()) {
                    throw new IllegalArgumentException("registry file " + file + ": ssdp.tags." + entry.getKey()
                            + " holds a non-string URN");
                }
                try {
                    terms.add(new SearchTerm(urn.asText().strip(), entry.getKey()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("registry file " + file + ": ssdp.tags." + entry.getKey() + ": "
                            + e.getMessage(), e);
                }
            }
        }
        return terms;
    }
}
