package io.netwarden.registry.whitelist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchTermsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheServiceRegistryFileFormat() throws Exception {
        // Given: registry.json as the seed documents it
        Path file = dir.resolve("registry.json");
        Files.writeString(file, """
                {"ssdp":{"tags":{
                  "RackHD":["RackHD-service:api:2.0","RackHD-service:api:1.1"],
                  "Inservice-Agent":["Inservice-service:agent:0.1"]}}}
                """);

        // When
        List<SearchTerm> terms = SearchTerms.fromRegistryJson(file, new ObjectMapper());

        // Then
        assertEquals(3, terms.size());
        assertTrue(terms.contains(new SearchTerm("RackHD-service:api:2.0", "RackHD")));
        assertTrue(terms.contains(new SearchTerm("Inservice-service:agent:0.1", "Inservice-Agent")));
    }

    @Test
    void aBrokenFileNamesWhatIsWrong() throws Exception {
        Path file = dir.resolve("registry.json");
        Files.writeString(file, "{\"ssdp\":{\"tags\":{\"T\":\"not-a-list\"}}}");
        var e = assertThrows(IllegalArgumentException.class, () -> SearchTerms.fromRegistryJson(file, new ObjectMapper()));
        assertTrue(e.getMessage().contains("ssdp.tags.T must be an array"), e.getMessage());

        Files.writeString(file, "{\"ssdp\":");
        e = assertThrows(IllegalArgumentException.class, () -> SearchTerms.fromRegistryJson(file, new ObjectMapper()));
        assertTrue(e.getMessage().startsWith("cannot read registry file"), e.getMessage());
    }

    @Test
    void configTagsAndSortedListing() {
        SearchTerms terms = new SearchTerms();
        SearchTerms.fromConfig(Map.of("b", List.of("urn:2", " urn:1 "), "a", List.of("urn:3"))).forEach(terms::put);
        assertEquals(List.of(new SearchTerm("urn:3", "a"), new SearchTerm("urn:1", "b"), new SearchTerm("urn:2", "b")),
                terms.list());
        assertTrue(terms.remove("urn:1"));
        assertEquals("b", terms.tagOf("urn:2").orElseThrow());
    }

    @Test
    void invalidTermsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SearchTerm("has space", "t"));
        assertThrows(IllegalArgumentException.class, () -> new SearchTerm("urn:x", "bad tag"));
    }
}
