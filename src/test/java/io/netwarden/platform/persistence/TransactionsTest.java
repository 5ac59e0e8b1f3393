package io.netwarden.platform.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One transaction through the helper, on a real (in-memory H2) database. */
class TransactionsTest {

    private Connection db;

    @BeforeEach
    void open() throws SQLException {
        db = DriverManager.getConnection("jdbc:h2:mem:tx" + System.nanoTime());
        try (Statement create = db.createStatement()) {
            create.execute("CREATE TABLE t (v INT PRIMARY KEY)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        db.close();
    }

    private int rows() throws SQLException {
        try (Statement count = db.createStatement(); ResultSet row = count.executeQuery("SELECT COUNT(*) FROM t")) {
            row.next();
            return row.getInt(1);
        }
    }

    private void insert(int v) throws SQLException {
        try (Statement insert = db.createStatement()) {
            insert.executeUpdate("INSERT INTO t VALUES (" + v + ")");
        }
    }

    @Test
    void workThatReturnsIsCommittedAndItsResultReturned() throws Exception {
        String result = Transactions.inTransaction(db, () -> {
            insert(1);
            insert(2);
            return "two";
        });
        assertEquals("two", result);
        assertEquals(2, rows());
        assertTrue(db.getAutoCommit(), "autocommit back on");
    }

    @Test
    void workThatThrowsIsRolledBackAndWhatItThrewComesOut() throws Exception {
        IllegalStateException runtime = new IllegalStateException("broken");
        assertSame(runtime, assertThrows(IllegalStateException.class, () -> Transactions.inTransaction(db, () -> {
            insert(1);
            throw runtime;
        })));
        assertThrows(SQLException.class, () -> Transactions.inTransaction(db, () -> {
            insert(2);
            insert(2); // the primary key refuses the second
            return null;
        }));
        IOException checked = assertThrows(IOException.class, () -> Transactions.inTransaction(db, () -> {
            insert(3);
            throw new IOException("its own checked exception");
        }));
        assertEquals("its own checked exception", checked.getMessage());
        assertEquals(0, rows(), "nothing of the three stayed");
        assertTrue(db.getAutoCommit(), "autocommit back on after each");
    }
}
