package io.netwarden.platform.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** A real driver's error, as H2 writes it (quoting the value), told without the value. */
class DatabaseErrorsTest {

    @Test
    void aValueTooLongForItsColumnIsDescribedWithoutTheValue() throws Exception {
        // Given: H2 puts the offending value into its message
        String secret = "community-" + "s".repeat(300);
        SQLException error;
        try (Connection db = DriverManager.getConnection("jdbc:h2:mem:errors;TRACE_LEVEL_FILE=0")) {
            db.createStatement().execute("CREATE TABLE t (c VARCHAR(16))");
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO t VALUES (?)")) {
                insert.setString(1, secret);
                error = assertThrows(SQLException.class, insert::executeUpdate);
            }
        }
        assertTrue(error.getMessage().contains("community-"), "the driver does quote it: " + error.getMessage());
        RuntimeException wrapped = new RuntimeException("insert failed: " + error.getMessage(), error);

        // When
        Throwable loggable = DatabaseErrors.loggable(wrapped);
        StringWriter printed = new StringWriter();
        loggable.printStackTrace(new PrintWriter(printed));

        // Then
        assertFalse(printed.toString().contains("community-"), printed.toString());
        assertNull(loggable.getCause(), "no cause chain with messages");
        assertTrue(loggable.getMessage().startsWith("database error: SQLState 22001, a value does not fit its column"),
                loggable.getMessage());
        assertEquals(wrapped.getStackTrace().length, loggable.getStackTrace().length, "where it failed is kept");
        assertFalse(DatabaseErrors.safeMessage(wrapped).contains("community-"));
    }

    @Test
    void otherFailuresAreLeftAsTheyAre() {
        IllegalStateException plain = new IllegalStateException("no database here");
        assertEquals(plain, DatabaseErrors.loggable(plain));
        assertEquals("no database here", DatabaseErrors.safeMessage(plain));
    }
}
