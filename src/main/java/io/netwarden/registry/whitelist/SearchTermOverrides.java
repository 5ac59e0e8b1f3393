package io.netwarden.registry.whitelist;

import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The whitelist changes made at run time, in table {@code registry_search_term}: per URN, the tag it now has, or none
 * (taken off). What the configuration says is the base; these rows override it, for every instance on the database.
 * Thread safety: stateless apart from the data source.
 */
public final class SearchTermOverrides {

    private final DataSource database;

    public SearchTermOverrides(DataSource database) {
        this.database = database;
    }

    /** Every override: URN → its tag, or empty when it was taken off. */
    public Map<String, Optional<String>> load() {
        Map<String, Optional<String>> overrides = new LinkedHashMap<>();
        try (Connection db = database.getConnection();
                PreparedStatement query = db.prepareStatement("SELECT urn, tag FROM registry_search_term ORDER BY urn");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                overrides.put(rows.getString(1), Optional.ofNullable(rows.getString(2)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the whitelist changes could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return overrides;
    }

    /** Stores that {@code urn} now has {@code tag} (empty: taken off the whitelist). */
    public void save(String urn, Optional<String> tag, String changedBy, Instant at) {
        for (int attempt = 1; ; attempt++) {
            try (Connection db = database.getConnection()) {
                Transactions.inTransaction(db, () -> upsert(db, urn, tag, changedBy, at));
                return;
            } catch (SQLException e) {
                if (attempt == 1 && DatabaseErrors.isUniqueViolation(e)) {
                    continue; // another instance stored a change of the same URN at the same moment: now it is there
                }
                throw new IllegalStateException("the whitelist change could not be stored: " + DatabaseErrors.safeMessage(e));
            }
        }
    }

    /** Forgets any change of {@code urn}: the configuration's word holds again. */
    public void forget(String urn) {
        try (Connection db = database.getConnection();
                PreparedStatement delete = db.prepareStatement("DELETE FROM registry_search_term WHERE urn = ?")) {
            delete.setString(1, urn);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the whitelist change could not be stored: " + DatabaseErrors.safeMessage(e));
        }
    }

    private static Void upsert(Connection db, String urn, Optional<String> tag, String changedBy, Instant at)
            throws SQLException {
        try (PreparedStatement update = db.prepareStatement("UPDATE registry_search_term SET tag = ?, changed_at = ?,"
                + " changed_by = ? WHERE urn = ?")) {
            update.setString(1, tag.orElse(null));
            update.setTimestamp(2, Timestamp.from(at));
            update.setString(3, changedBy);
            update.setString(4, urn);
            if (update.executeUpdate() == 1) {
                return null;
            }
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO registry_search_term (urn, tag, changed_at,"
                + " changed_by) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, urn);
            insert.setString(2, tag.orElse(null));
            insert.setTimestamp(3, Timestamp.from(at));
            insert.setString(4, changedBy);
            insert.executeUpdate();
        }
        return null;
    }
}
