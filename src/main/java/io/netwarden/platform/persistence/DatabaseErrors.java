package io.netwarden.platform.persistence;

import java.sql.SQLException;
import java.util.Map;

/**
 * Describes a database failure without the driver's message: drivers put bound values into their messages (H2 quotes
 * the value that was too long for its column, PostgreSQL the key that already exists), and a bound value can be a
 * credential. What is left — the SQLState, its class and the exception types — says what kind of failure it was.
 */
public final class DatabaseErrors {

    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("08", "connection failure"),
            Map.entry("22", "a value does not fit its column"),
            Map.entry("23", "a constraint was violated"),
            Map.entry("40", "transaction rolled back (serialization failure or deadlock)"),
            Map.entry("42", "statement refused (syntax or permissions)"),
            Map.entry("53", "the database is out of resources"),
            Map.entry("57", "the database stopped the statement"),
            Map.entry("HY", "driver error"));

    private DatabaseErrors() {
    }

    /** The first {@link SQLException} in the cause chain, or null. */
    public static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /**
     * Whether a unique constraint refused the statement: SQLState 23505 on the exception, its causes or, for a batch,
     * the exceptions chained to it.
     */
    public static boolean isUniqueViolation(SQLException e) {
        int seen = 0;
        for (Throwable t = e; t != null && seen < 32; seen++) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
            Throwable next = t instanceof SQLException sql && sql.getNextException() != null ? sql.getNextException()
                    : t.getCause();
            t = next == t ? null : next;
        }
        return false;
    }

    /** True when the chain holds a database failure (whose messages must not be shown). */
    public static boolean involved(Throwable e) {
        if (sqlCause(e) != null) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String type = t.getClass().getName();
            if (type.startsWith("org.hibernate.") || type.startsWith("jakarta.persistence.") || type.startsWith("org.h2.")
                    || type.startsWith("org.postgresql.")) {
                return true;
            }
        }
        return false;
    }

    /** "database error: SQLState 22001, a value does not fit its column (SQLDataException)", never the message. */
    public static String describe(Throwable e) {
        SQLException sql = sqlCause(e);
        StringBuilder types = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            types.append(types.isEmpty() ? "" : " < ").append(t.getClass().getSimpleName());
        }
        if (sql == null || sql.getSQLState() == null) {
            return "database error (" + types + ")";
        }
        String state = sql.getSQLState();
        String meaning = CLASSES.get(state.length() >= 2 ? state.substring(0, 2) : state);
        return "database error: SQLState " + state + (meaning == null ? "" : ", " + meaning) + " (" + types + ")";
    }

    /** The exception's message, unless a database failure is involved: then {@link #describe} instead. */
    public static String safeMessage(Throwable e) {
        return involved(e) ? describe(e) : String.valueOf(e.getMessage());
    }

    /**
     * What to hand to a logger: {@code e} itself, or, when a database failure is involved, a stand-in that carries
     * {@link #describe} and {@code e}'s stack frames but none of the messages in its cause chain.
     */
    public static Throwable loggable(Throwable e) {
        if (!involved(e)) {
            return e;
        }
        RuntimeException sanitized = new RuntimeException(describe(e));
        sanitized.setStackTrace(e.getStackTrace());
        return sanitized;
    }
}
