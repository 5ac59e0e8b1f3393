package io.netwarden.registry.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.Transactions;
import io.netwarden.registry.description.DeviceDescription;
import io.netwarden.registry.ssdp.SsdpMessage;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ServiceStore} in the platform database (PostgreSQL, or the embedded H2): tables {@code registry_service} (one
 * row per USN) and {@code registry_sighting} (one per USN and registry instance).
 *
 * <pre>
 *   register: without a description, first plain reads: a new USN ─▶ REFUSED │ DESCRIPTION_NEEDED; another address
 *             ─▶ CONFLICT; moved or restarted ─▶ DESCRIPTION_NEEDED (no transaction, no lock); else, and with one:
 *             one transaction ─ the service row locked (SELECT … FOR UPDATE) ─ absent ─▶ within the limits (in all,
 *             per address)? ─ no ─▶ REFUSED │ no description given ─▶ DESCRIPTION_NEEDED │ INSERT (a racing instance's
 *             INSERT wins: the transaction is tried once more as an update) │ present ─▶ UPDATE (moved or restarted:
 *             only with a new description, else DESCRIPTION_NEEDED)
 *             ─▶ the sighting updated or inserted ─▶ the service's expiry = the latest of its sightings
 *   a known USN from another address ─▶ CONFLICT, nothing written; a byebye counts only from the registered address
 *   withdraw / expire: sightings deleted ─▶ services without a sighting deleted (the condition in the DELETE itself, so
 *             a sighting another instance adds meanwhile keeps the service)
 * </pre>
 *
 * Thread safety: stateless apart from the data source; the database serialises writers per USN.
 */
public final class DatabaseServiceStore implements ServiceStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "usn, urn, tag, address, port, location, server, boot_id, config_id, device,"
            + " status, first_seen, last_seen, expires_at";

    private final DataSource database;
    private final int maxServices;
    private final int maxPerAddress;

    /**
     * @param maxServices services at most in all (a new USN beyond is refused)
     * @param maxPerAddress services at most with one address (a flood of made-up USNs from one host is cut off here)
     */
    public DatabaseServiceStore(DataSource database, int maxServices, int maxPerAddress) {
        this.database = database;
        this.maxServices = maxServices;
        this.maxPerAddress = maxPerAddress;
    }

    @Override
    public Change register(SsdpMessage advertisement, String tag, Optional<DeviceDescription> device, String instance,
            Instant now) {
        Objects.requireNonNull(advertisement.location().orElse(null), "an advertisement to register has a LOCATION");
        String described = device.map(DatabaseServiceStore::json).orElse(null);
        try (Connection db = database.getConnection()) {
            if (described == null) { // most often a new service: answered from reads, without a transaction or a lock
                Optional<Change> answer = answerWithoutWriting(db, advertisement);
                if (answer.isPresent()) {
                    return answer.get();
                }
            }
            try {
                return Transactions.inTransaction(db, () -> {
                    softState(db);
                    return register(db, advertisement, tag, described, instance, now);
                });
            } catch (SQLException e) {
                if (!DatabaseErrors.isUniqueViolation(e)) {
                    throw e;
                }
                // another instance registered the same USN at the same moment: now it is there to update
                return Transactions.inTransaction(db, () -> {
                    softState(db);
                    return register(db, advertisement, tag, described, instance, now);
                });
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the service could not be registered: " + DatabaseErrors.safeMessage(e));
        }
    }

    private Change register(Connection db, SsdpMessage ad, String tag, String device, String instance, Instant now)
            throws SQLException {
        URI location = ad.location().orElseThrow();
        Timestamp at = Timestamp.from(now);
        Timestamp expires = Timestamp.from(now.plus(ad.maxAge()));
        Change change;
        String address = ad.source().getHostAddress(); // canonical: LOCATION's host is this address, however spelt
        String knownLocation = null;
        Long knownBoot = null;
        String knownAddress = null;
        boolean known;
        try (PreparedStatement find = db.prepareStatement("SELECT location, boot_id, address FROM registry_service WHERE"
                + " usn = ? FOR UPDATE")) {
            find.setString(1, ad.usn());
            try (ResultSet row = find.executeQuery()) {
                known = row.next();
                if (known) {
                    knownLocation = row.getString(1);
                    knownBoot = (Long) row.getObject(2, Long.class);
                    knownAddress = row.getString(3);
                }
            }
        }
        if (known && !address.equals(knownAddress)) {
            return Change.CONFLICT;
        }
        if (!known) {
            if (full(db, address)) {
                return Change.REFUSED;
            }
            if (device == null) {
                return Change.DESCRIPTION_NEEDED;
            }
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO registry_service (" + COLUMNS + ") VALUES"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'passing', ?, ?, ?)")) {
                insert.setString(1, ad.usn());
                insert.setString(2, ad.target());
                insert.setString(3, tag);
                insert.setString(4, address);
                insert.setInt(5, port(location));
                insert.setString(6, location.toString());
                insert.setString(7, ad.server());
                insert.setObject(8, ad.bootId().isPresent() ? ad.bootId().getAsLong() : null, java.sql.Types.BIGINT);
                insert.setObject(9, ad.configId().isPresent() ? ad.configId().getAsLong() : null, java.sql.Types.BIGINT);
                insert.setString(10, device);
                insert.setTimestamp(11, at);
                insert.setTimestamp(12, at);
                insert.setTimestamp(13, expires);
                insert.executeUpdate();
            }
            change = Change.REGISTERED;
        } else {
            boolean restarted = !location.toString().equals(knownLocation)
                    || ad.bootId().isPresent() && knownBoot != null && ad.bootId().getAsLong() != knownBoot;
            if (restarted && device == null) {
                return Change.DESCRIPTION_NEEDED;
            }
            try (PreparedStatement update = db.prepareStatement("UPDATE registry_service SET urn = ?, tag = ?, address = ?,"
                    + " port = ?, location = ?, server = ?, boot_id = COALESCE(?, boot_id), config_id = COALESCE(?, config_id),"
                    + " device = COALESCE(?, device), last_seen = ?, status = CASE WHEN ? THEN 'passing' ELSE status END,"
                    + " critical_since = CASE WHEN ? THEN NULL ELSE critical_since END WHERE usn = ?")) {
                update.setString(1, ad.target());
                update.setString(2, tag);
                update.setString(3, address);
                update.setInt(4, port(location));
                update.setString(5, location.toString());
                update.setString(6, ad.server());
                update.setObject(7, ad.bootId().isPresent() ? ad.bootId().getAsLong() : null, java.sql.Types.BIGINT);
                update.setObject(8, ad.configId().isPresent() ? ad.configId().getAsLong() : null, java.sql.Types.BIGINT);
                update.setString(9, device);
                update.setTimestamp(10, at);
                update.setBoolean(11, device != null); // its description was just fetched: the device answers
                update.setBoolean(12, device != null);
                update.setString(13, ad.usn());
                update.executeUpdate();
            }
            change = restarted ? Change.UPDATED : Change.RENEWED;
        }
        int renewed;
        try (PreparedStatement update = db.prepareStatement("UPDATE registry_sighting SET last_seen = ?, expires_at = ?"
                + " WHERE usn = ? AND instance = ?")) {
            update.setTimestamp(1, at);
            update.setTimestamp(2, expires);
            update.setString(3, ad.usn());
            update.setString(4, instance);
            renewed = update.executeUpdate();
        }
        if (renewed == 0) {
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO registry_sighting (usn, instance, last_seen,"
                    + " expires_at) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, ad.usn());
                insert.setString(2, instance);
                insert.setTimestamp(3, at);
                insert.setTimestamp(4, expires);
                insert.executeUpdate();
            }
        }
        if (change != Change.REGISTERED || renewed > 0) { // a new service's expiry is this sighting's, as inserted
            expiresWithLatestSighting(db, List.of(ad.usn()));
        }
        return change;
    }

    /**
     * What a registration without a description comes to, when that needs no write: CONFLICT, REFUSED or
     * DESCRIPTION_NEEDED; empty for a renewal (the transaction decides again, under the row's lock).
     */
    private Optional<Change> answerWithoutWriting(Connection db, SsdpMessage ad) throws SQLException {
        try (PreparedStatement find = db.prepareStatement("SELECT location, boot_id, address FROM registry_service WHERE usn = ?")) {
            find.setString(1, ad.usn());
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Optional.of(full(db, ad.source().getHostAddress()) ? Change.REFUSED : Change.DESCRIPTION_NEEDED);
                }
                Long knownBoot = row.getObject(2, Long.class);
                if (!ad.source().getHostAddress().equals(row.getString(3))) {
                    return Optional.of(Change.CONFLICT);
                }
                boolean restarted = !ad.location().orElseThrow().toString().equals(row.getString(1))
                        || ad.bootId().isPresent() && knownBoot != null && ad.bootId().getAsLong() != knownBoot;
                return restarted ? Optional.of(Change.DESCRIPTION_NEEDED) : Optional.empty();
            }
        }
    }

    /** Whether a new service from {@code address} would go beyond the limits. */
    private boolean full(Connection db, String address) throws SQLException {
        try (PreparedStatement count = db.prepareStatement("SELECT COUNT(*), COUNT(CASE WHEN address = ? THEN 1 END)"
                + " FROM registry_service")) {
            count.setString(1, address);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1) >= maxServices || row.getLong(2) >= maxPerAddress;
            }
        }
    }

    /**
     * On PostgreSQL, a registration's commit does not wait for its WAL to reach the disk ({@code synchronous_commit off}
     * for this transaction only): registrations are soft state, announced again by the devices and searched for again
     * at every start, so a crash may lose the last fraction of a second of them, and a disk that stalls its flushes
     * does not stall the registry (a NOTIFY's p99 went from 86 to 58 ms in the bench). Consistency is unchanged: the
     * transaction is atomic and isolated as before.
     */
    private static void softState(Connection db) throws SQLException {
        if (db.getMetaData().getDatabaseProductName().equalsIgnoreCase("PostgreSQL")) {
            try (java.sql.Statement relax = db.createStatement()) {
                relax.execute("SET LOCAL synchronous_commit TO OFF");
            }
        }
    }

    private static int port(URI location) {
        return location.getPort() < 0 ? 80 : location.getPort();
    }

    @Override
    public Withdrawal withdraw(String usn, String address, String instance) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                try (PreparedStatement delete = db.prepareStatement("DELETE FROM registry_sighting WHERE usn = ? AND instance = ?"
                        + " AND EXISTS (SELECT 1 FROM registry_service WHERE registry_service.usn = ? AND address = ?)")) {
                    delete.setString(1, usn);
                    delete.setString(2, instance);
                    delete.setString(3, usn);
                    delete.setString(4, address);
                    if (delete.executeUpdate() == 0) {
                        return new Withdrawal(false, registeredElsewhere(db, usn, address), Optional.empty());
                    }
                }
                return new Withdrawal(true, false, removeUnseen(db, List.of(usn)).stream().findFirst());
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the service could not be withdrawn: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Whether {@code usn} is registered with another address than {@code address}. */
    private static boolean registeredElsewhere(Connection db, String usn, String address) throws SQLException {
        try (PreparedStatement find = db.prepareStatement("SELECT address FROM registry_service WHERE usn = ?")) {
            find.setString(1, usn);
            try (ResultSet row = find.executeQuery()) {
                return row.next() && !address.equals(row.getString(1));
            }
        }
    }

    @Override
    public List<RegisteredService> expire(Instant now) {
        return endSightings("expires_at < ?", List.of(), now);
    }

    @Override
    public List<RegisteredService> withdrawStale(String instance, Instant before) {
        return endSightings("instance = ? AND last_seen < ?", List.of(instance), before);
    }

    /** Ends the sightings matching {@code condition} (its parameters, then {@code at}); removes what no one sees. */
    private List<RegisteredService> endSightings(String condition, List<String> values, Instant at) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                List<String> ended = new ArrayList<>();
                try (PreparedStatement find = db.prepareStatement("SELECT DISTINCT usn FROM registry_sighting WHERE " + condition)) {
                    bind(find, values, at);
                    try (ResultSet rows = find.executeQuery()) {
                        while (rows.next()) {
                            ended.add(rows.getString(1));
                        }
                    }
                }
                if (ended.isEmpty()) {
                    return List.<RegisteredService>of();
                }
                try (PreparedStatement delete = db.prepareStatement("DELETE FROM registry_sighting WHERE " + condition)) {
                    bind(delete, values, at);
                    delete.executeUpdate();
                }
                expiresWithLatestSighting(db, ended);
                return removeUnseen(db, ended);
            });
        } catch (SQLException e) {
            throw new IllegalStateException("ended sightings could not be removed: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Sets each service's expiry to its latest sighting's (those without a sighting are left to be removed). */
    private static void expiresWithLatestSighting(Connection db, List<String> usns) throws SQLException {
        try (PreparedStatement latest = db.prepareStatement("UPDATE registry_service SET expires_at = (SELECT"
                + " MAX(expires_at) FROM registry_sighting WHERE registry_sighting.usn = registry_service.usn)"
                + " WHERE usn = ? AND EXISTS (SELECT 1 FROM registry_sighting WHERE registry_sighting.usn = ?)")) {
            for (String usn : usns) {
                latest.setString(1, usn);
                latest.setString(2, usn);
                latest.addBatch();
            }
            latest.executeBatch();
        }
    }

    private static void bind(PreparedStatement statement, List<String> values, Instant at) throws SQLException {
        int i = 1;
        for (String value : values) {
            statement.setString(i++, value);
        }
        statement.setTimestamp(i, Timestamp.from(at));
    }

    @Override
    public List<RegisteredService> removeUrn(String urn) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                List<RegisteredService> gone = select(db, " WHERE urn = ?", List.of(urn), 0, Integer.MAX_VALUE);
                try (PreparedStatement sightings = db.prepareStatement("DELETE FROM registry_sighting WHERE usn IN (SELECT usn"
                        + " FROM registry_service WHERE urn = ?)");
                        PreparedStatement services = db.prepareStatement("DELETE FROM registry_service WHERE urn = ?")) {
                    sightings.setString(1, urn);
                    sightings.executeUpdate();
                    services.setString(1, urn);
                    services.executeUpdate();
                }
                return gone;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the services of " + urn + " could not be removed: " + DatabaseErrors.safeMessage(e));
        }
    }

    @Override
    public int retag(String urn, String tag) {
        try (Connection db = database.getConnection();
                PreparedStatement update = db.prepareStatement("UPDATE registry_service SET tag = ? WHERE urn = ? AND tag <> ?")) {
            update.setString(1, tag);
            update.setString(2, urn);
            update.setString(3, tag);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the services of " + urn + " could not be re-tagged: " + DatabaseErrors.safeMessage(e));
        }
    }

    @Override
    public List<ProbeTarget> probeTargets(String instance, int limit) {
        List<ProbeTarget> targets = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement query = db.prepareStatement("SELECT location, address FROM registry_service WHERE EXISTS"
                        + " (SELECT 1 FROM registry_sighting WHERE registry_sighting.usn = registry_service.usn AND instance = ?)"
                        + " GROUP BY location, address ORDER BY MIN(checked_at) NULLS FIRST, location"
                        + " FETCH FIRST ? ROWS ONLY")) {
            query.setString(1, instance);
            query.setInt(2, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    targets.add(new ProbeTarget(rows.getString(1), rows.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the services to probe could not be read: " + DatabaseErrors.safeMessage(e));
        }
        return targets;
    }

    @Override
    public List<RegisteredService> recordHealth(ProbeTarget target, boolean passing, Instant now) {
        String status = passing ? "passing" : "critical";
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                List<RegisteredService> changed = select(db, " WHERE location = ? AND address = ? AND status <> ?",
                        List.of(target.location(), target.address(), status), 0, Integer.MAX_VALUE);
                try (PreparedStatement update = db.prepareStatement("UPDATE registry_service SET status = ?, checked_at = ?,"
                        + " critical_since = CASE WHEN ? THEN NULL ELSE COALESCE(critical_since, ?) END"
                        + " WHERE location = ? AND address = ?")) {
                    update.setString(1, status);
                    update.setTimestamp(2, Timestamp.from(now));
                    update.setBoolean(3, passing);
                    update.setTimestamp(4, Timestamp.from(now));
                    update.setString(5, target.location());
                    update.setString(6, target.address());
                    update.executeUpdate();
                }
                return changed.stream().map(s -> new RegisteredService(s.usn(), s.urn(), s.tag(), s.address(), s.port(),
                        s.location(), s.server(), s.bootId(), s.configId(), s.device(), status, s.seenBy(), s.firstSeen(),
                        s.lastSeen(), s.expiresAt())).toList();
            });
        } catch (SQLException e) {
            throw new IllegalStateException("a probe's verdict could not be stored: " + DatabaseErrors.safeMessage(e));
        }
    }

    @Override
    public List<RegisteredService> removeCritical(Instant before) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                List<RegisteredService> gone = selectWhere(db, " WHERE critical_since < ?", before);
                if (gone.isEmpty()) {
                    return gone;
                }
                try (PreparedStatement sightings = db.prepareStatement("DELETE FROM registry_sighting WHERE usn = ?");
                        PreparedStatement services = db.prepareStatement("DELETE FROM registry_service WHERE usn = ?"
                                + " AND critical_since < ?")) {
                    for (RegisteredService service : gone) {
                        sightings.setString(1, service.usn());
                        sightings.addBatch();
                        services.setString(1, service.usn());
                        services.setTimestamp(2, Timestamp.from(before));
                        services.addBatch();
                    }
                    sightings.executeBatch();
                    services.executeBatch();
                }
                return gone;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("critical services could not be removed: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Services matching a condition on one timestamp. */
    private static List<RegisteredService> selectWhere(Connection db, String where, Instant at) throws SQLException {
        List<String> usns = new ArrayList<>();
        try (PreparedStatement query = db.prepareStatement("SELECT usn FROM registry_service" + where)) {
            query.setTimestamp(1, Timestamp.from(at));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    usns.add(rows.getString(1));
                }
            }
        }
        List<RegisteredService> found = new ArrayList<>();
        for (String usn : usns) {
            select(db, " WHERE usn = ?", List.of(usn), 0, 1).forEach(found::add);
        }
        return found;
    }

    @Override
    public Map<List<String>, Long> countByTagAndStatus() {
        Map<List<String>, Long> counts = new LinkedHashMap<>();
        try (Connection db = database.getConnection();
                PreparedStatement query = db.prepareStatement("SELECT tag, status, COUNT(*) FROM registry_service"
                        + " GROUP BY tag, status ORDER BY tag, status");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                counts.put(List.of(rows.getString(1), rows.getString(2)), rows.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the services could not be counted: " + DatabaseErrors.safeMessage(e));
        }
        return counts;
    }

    /** Deletes those of {@code usns} that no instance sees any more; returns them as they were. */
    private static List<RegisteredService> removeUnseen(Connection db, List<String> usns) throws SQLException {
        List<RegisteredService> gone = new ArrayList<>();
        try (PreparedStatement delete = db.prepareStatement("DELETE FROM registry_service WHERE usn = ? AND NOT EXISTS"
                + " (SELECT 1 FROM registry_sighting WHERE registry_sighting.usn = registry_service.usn)")) {
            for (String usn : usns) {
                Optional<RegisteredService> before = select(db, " WHERE usn = ?", List.of(usn), 0, 1).stream().findFirst();
                delete.setString(1, usn);
                if (delete.executeUpdate() == 1 && before.isPresent()) {
                    gone.add(before.get());
                }
            }
        }
        return gone;
    }

    @Override
    public List<RegisteredService> list(Filter filter, int offset, int limit) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<String> values = new ArrayList<>();
        filter.tag().ifPresent(t -> { where.append(" AND tag = ?"); values.add(t); });
        filter.urn().ifPresent(u -> { where.append(" AND urn = ?"); values.add(u); });
        filter.status().ifPresent(s -> { where.append(" AND status = ?"); values.add(s); });
        filter.seenBy().ifPresent(i -> {
            where.append(" AND EXISTS (SELECT 1 FROM registry_sighting WHERE registry_sighting.usn = registry_service.usn"
                    + " AND registry_sighting.instance = ?)");
            values.add(i);
        });
        try (Connection db = database.getConnection()) {
            return select(db, where.toString(), values, offset, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("the services could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    @Override
    public Optional<RegisteredService> find(String usn) {
        try (Connection db = database.getConnection()) {
            return select(db, " WHERE usn = ?", List.of(usn), 0, 1).stream().findFirst();
        } catch (SQLException e) {
            throw new IllegalStateException("the service could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    private static List<RegisteredService> select(Connection db, String where, List<String> values, int offset, int limit)
            throws SQLException {
        Map<String, RegisteredService> found = new LinkedHashMap<>();
        try (PreparedStatement query = db.prepareStatement("SELECT " + COLUMNS + " FROM registry_service" + where
                + " ORDER BY tag, urn, usn OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
            int i = 1;
            for (String value : values) {
                query.setString(i++, value);
            }
            query.setInt(i++, offset);
            query.setInt(i, limit);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString(1), new RegisteredService(row.getString(1), row.getString(2), row.getString(3),
                            row.getString(4), row.getInt(5), row.getString(6), row.getString(7),
                            row.getObject(8, Long.class), row.getObject(9, Long.class), device(row.getString(10)),
                            row.getString(11), List.of(), row.getTimestamp(12).toInstant(), row.getTimestamp(13).toInstant(),
                            row.getTimestamp(14).toInstant()));
                }
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> seenBy = new LinkedHashMap<>();
        try (PreparedStatement query = db.prepareStatement("SELECT usn, instance FROM registry_sighting WHERE usn = ANY (?)"
                + " ORDER BY instance")) {
            query.setArray(1, db.createArrayOf("VARCHAR", found.keySet().toArray()));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    seenBy.computeIfAbsent(row.getString(1), u -> new ArrayList<>()).add(row.getString(2));
                }
            }
        }
        List<RegisteredService> services = new ArrayList<>();
        found.values().forEach(s -> services.add(new RegisteredService(s.usn(), s.urn(), s.tag(), s.address(), s.port(),
                s.location(), s.server(), s.bootId(), s.configId(), s.device(), s.status(),
                List.copyOf(seenBy.getOrDefault(s.usn(), List.of())), s.firstSeen(), s.lastSeen(), s.expiresAt())));
        return services;
    }

    private static String json(DeviceDescription device) {
        try {
            return JSON.writeValueAsString(device.toMap());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a device description could not be written as JSON", e);
        }
    }

    private static Map<String, Object> device(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }
}
