package io.netwarden.platform.persistence;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One transaction on a JDBC connection, without the commit / rollback / autocommit boilerplate at each place:
 *
 * <pre>
 *   inTransaction(db, work) ─▶ autocommit off ─▶ work() ─ returns ─▶ commit ─▶ its result
 *                                                          └ throws ─▶ rollback ─▶ thrown on (a rollback that fails
 *                                                                      too is added to it as suppressed)
 *                           ─▶ autocommit back on, in every case (a connection already in a transaction is refused)
 * </pre>
 *
 * The work may throw one checked exception of its own besides {@link SQLException} (JSON it writes, say). Thread
 * safety: stateless; a connection is one thread's at a time, as JDBC wants.
 */
public final class Transactions {

    private Transactions() {
    }

    /**
     * The work of one transaction, on the connection given with it; {@code X} is a checked exception it may throw
     * besides SQLException.
     */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        T run() throws SQLException, X;
    }

    /** Runs {@code work} in one transaction on {@code db}; see the class comment. */
    public static <T, X extends Exception> T inTransaction(Connection db, Work<T, X> work) throws SQLException, X {
        boolean autoCommit = db.getAutoCommit();
        if (!autoCommit) { // committing here would commit the caller's own open work too
            throw new IllegalStateException("inTransaction on a connection that is in a transaction already");
        }
        db.setAutoCommit(false);
        T result;
        try {
            result = work.run();
            db.commit();
        } catch (Exception | Error e) {
            try {
                db.rollback();
                restore(db);
            } catch (SQLException broken) {
                e.addSuppressed(broken); // the connection is broken too; the pool drops it
            }
            throw e;
        }
        restore(db);
        return result;
    }

    private static void restore(Connection db) throws SQLException {
        db.setAutoCommit(true);
    }
}
