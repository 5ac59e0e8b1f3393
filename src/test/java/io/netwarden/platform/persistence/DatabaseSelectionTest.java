package io.netwarden.platform.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseSelectionTest {

    @Test
    void noUrlMeansEmbeddedH2UnderTheDataDir() {
        // When
        Map<String, String> p = DatabaseSelection.properties(null, "some/dir");

        // Then
        assertEquals("true", p.get("quarkus.datasource.h2.active"));
        assertEquals("true", p.get("quarkus.hibernate-orm.h2.active"));
        assertEquals("true", p.get("quarkus.flyway.h2.active"));
        assertEquals("false", p.get("quarkus.datasource.postgresql.active"));
        assertEquals("false", p.get("quarkus.flyway.postgresql.active"));
        String expected = "jdbc:h2:file:" + Path.of("some/dir").toAbsolutePath().normalize().resolve("db/netwarden");
        assertTrue(p.get("quarkus.datasource.h2.jdbc.url").startsWith(expected), p.get("quarkus.datasource.h2.jdbc.url"));
    }

    @Test
    void postgresqlUrlSwitchesToPostgresql() {
        Map<String, String> p = DatabaseSelection.properties("jdbc:postgresql://db:5432/nw", null);
        assertEquals("true", p.get("quarkus.datasource.postgresql.active"));
        assertEquals("true", p.get("quarkus.hibernate-orm.postgresql.active"));
        assertEquals("false", p.get("quarkus.datasource.h2.active"));
        assertEquals("jdbc:postgresql://db:5432/nw", p.get("quarkus.datasource.postgresql.jdbc.url"));
    }

    @Test
    void anExplicitH2UrlIsUsedAsGiven() {
        Map<String, String> p = DatabaseSelection.properties("jdbc:h2:mem:x", null);
        assertEquals("jdbc:h2:mem:x", p.get("quarkus.datasource.h2.jdbc.url"));
        assertFalse(p.containsKey("quarkus.datasource.postgresql.jdbc.url"));
    }

    @Test
    void otherDatabasesAreRejectedWithoutEchoingTheWholeUrl() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseSelection.properties("jdbc:mysql://user:hunter2@db/x", null));
        assertTrue(e.getMessage().contains("unsupported database URL"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
