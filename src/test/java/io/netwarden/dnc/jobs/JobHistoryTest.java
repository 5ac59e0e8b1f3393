package io.netwarden.dnc.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The transitions kept in a job's row: how they are written and read, and how the migration moves older ones there. */
class JobHistoryTest {

    private static final Instant QUEUED = Instant.parse("2026-11-23T04:28:26.123456Z");
    private static final Instant LOST = Instant.parse("2026-11-23T04:28:29.5Z");

    @Test
    void transitionsAreAppendedInOrderAndReadBackAsWritten() {
        // Given
        String detail = "agent \"a\\1\" silent for 15s;\nre-queued ✓";

        // When
        String history = JobHistory.append(null, new JobView.Transition("queued", null, 1, QUEUED, null));
        history = JobHistory.append(history, new JobView.Transition("running", "agent-1", 1, QUEUED.plusMillis(3), null));
        history = JobHistory.append(history, new JobView.Transition("queued", null, 2, LOST, detail));

        // Then
        assertEquals(List.of(new JobView.Transition("queued", null, 1, QUEUED, null),
                new JobView.Transition("running", "agent-1", 1, QUEUED.plusMillis(3), null),
                new JobView.Transition("queued", null, 2, LOST, detail)), JobHistory.read(history));
        assertEquals(List.of(), JobHistory.read(null));
    }

    @Test
    void aLongDetailIsCutAndAnUnreadableHistoryIsReportedNotGuessed() {
        String history = JobHistory.append(null, new JobView.Transition("failed", null, 1, QUEUED, "x".repeat(5000)));
        assertEquals(2000, JobHistory.read(history).getFirst().detail().length());
        assertThrows(IllegalStateException.class, () -> JobHistory.read("{\"status\":\"queued\"}"));
        assertThrows(IllegalStateException.class, () -> JobHistory.append("garbage", new JobView.Transition("queued", null, 1, QUEUED, null)));
    }

    @Test
    void theMigrationMovesTransitionsIntoTheJobRowOnH2() throws Exception {
        String url = "jdbc:h2:mem:history-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Connection db = DriverManager.getConnection(url, "sa", "")) {
            migrateWithOldTransitions(db, url, "sa", "", "classpath:db/migration-h2", null);
        }
    }

    @Test
    void theMigrationMovesTransitionsIntoTheJobRowOnPostgresql() throws Exception {
        String schema = "history_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection db = DriverManager.getConnection(TestEnv.pgUrl(), TestEnv.pgUser(), TestEnv.pgPassword())) {
            try {
                migrateWithOldTransitions(db, TestEnv.pgUrl(), TestEnv.pgUser(), TestEnv.pgPassword(),
                        "classpath:db/migration-postgresql", schema);
            } finally {
                try (Statement s = db.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        }
    }

    /** Migrates to the schema before V6, writes a job with transitions the old way, migrates on, reads the row. */
    private static void migrateWithOldTransitions(Connection db, String url, String user, String password, String vendorFolder,
            String schema) throws Exception {
        var config = Flyway.configure().dataSource(url, user, password)
                .locations("classpath:db/migration", vendorFolder);
        if (schema != null) {
            config.schemas(schema).defaultSchema(schema);
        }
        config.target("5").load().migrate();
        String prefix = schema == null ? "" : schema + ".";
        try (Statement s = db.createStatement()) {
            s.execute("INSERT INTO " + prefix + "job (id, element, operation, request, pool, status, attempt, timeout_ms, created_at) "
                    + "VALUES ('j1', 'e', 'snmp.get', '{}', 'default', 'queued', 2, 1000, CURRENT_TIMESTAMP)");
            s.execute("INSERT INTO " + prefix + "job (id, element, operation, request, pool, status, attempt, timeout_ms, created_at) "
                    + "VALUES ('j2', 'e', 'snmp.get', '{}', 'default', 'queued', 1, 1000, CURRENT_TIMESTAMP)");
        }
        try (PreparedStatement t = db.prepareStatement("INSERT INTO " + prefix
                + "job_transition (job_id, status, agent, attempt, at, detail) VALUES ('j1', ?, ?, ?, ?, ?)")) {
            transition(t, "queued", null, 1, QUEUED, null);
            transition(t, "running", "agent-1", 1, QUEUED.plusMillis(3), null);
            transition(t, "queued", null, 2, LOST, "agent \"agent-1\" silent;\nre-queued");
        }

        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration", vendorFolder)
                .schemas(schema == null ? new String[0] : new String[] {schema}).defaultSchema(schema).load().migrate();

        try (Statement s = db.createStatement();
                ResultSet rows = s.executeQuery("SELECT id, transitions FROM " + prefix + "job ORDER BY id")) {
            assertTrue(rows.next());
            assertEquals(List.of(new JobView.Transition("queued", null, 1, QUEUED, null),
                    new JobView.Transition("running", "agent-1", 1, QUEUED.plusMillis(3), null),
                    new JobView.Transition("queued", null, 2, LOST, "agent \"agent-1\" silent;\nre-queued")),
                    JobHistory.read(rows.getString(2)));
            assertTrue(rows.next());
            assertNull(rows.getString(2), "a job without transitions keeps none");
        }
        try (ResultSet tables = db.getMetaData().getTables(null, null, "%", null)) {
            while (tables.next()) {
                boolean inSchema = schema == null || schema.equalsIgnoreCase(tables.getString("TABLE_SCHEM"));
                assertTrue(!inSchema || !tables.getString("TABLE_NAME").equalsIgnoreCase("job_transition"), "job_transition is gone");
            }
        }
    }

    private static void transition(PreparedStatement t, String status, String agent, int attempt, Instant at, String detail)
            throws Exception {
        t.setString(1, status);
        t.setString(2, agent);
        t.setInt(3, attempt);
        t.setObject(4, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        t.setString(5, detail);
        t.executeUpdate();
    }
}
