package io.netwarden.netmanager.cluster;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.table.ServiceIpKind;
import io.netwarden.platform.persistence.DatabaseErrors;
import io.netwarden.platform.persistence.Transactions;
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
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The cluster's global table, in the database: each service with its service IPs, the instances nodes report, and
 * which nodes asked about which service.
 *
 * <pre>
 *   deployed(node, service, instance, addresses) ─▶ service new? its round-robin and closest IPs
 *        ─▶ the instance (a report again: updated) ─▶ its instance IP ─▶ changed?
 *   undeployed(node, service, instance) ─▶ the instance and its instance IP removed (the service keeps its IPs)
 *   service IPs: the lowest free address of the service network (10.32.0.0/16 without its first and last), one table for
 *        every kind so that none is handed out twice; another cluster on the database taking it meanwhile ─▶ the next
 * </pre>
 *
 * Thread safety: stateless apart from the database; each change is one transaction.
 */
public final class ServiceTable {

    private static final int TRIES = 20;

    /** An instance reported by a node while another node runs it. */
    public static final class Taken extends RuntimeException {
        Taken(String message) {
            super(message, null, false, false);
        }
    }

    public record ServiceIp(ServiceIpKind kind, String address) {
    }

    /** One instance of a service, where it runs, and the service IPs that reach it. */
    public record Entry(String service, int instanceNumber, String node, String nsIp, String nsIpV6, String hostIp,
            int hostPort, List<ServiceIp> serviceIps) {
    }

    private final DataSource database;
    private final Ipv4Net pool;

    public ServiceTable(DataSource database, Ipv4Net pool) {
        if (pool.prefix() > 30 || pool.prefix() < 8) {
            throw new IllegalArgumentException("the service network " + pool + " must be /8 to /30");
        }
        this.database = database;
        this.pool = pool;
    }

    /**
     * Records an instance a node reports deployed (a report again updates it). Returns true when the table changed
     * (interested nodes are then told).
     */
    public boolean deployed(String node, String service, int instanceNumber, String nsIp, String nsIpV6, String hostIp,
            int hostPort) {
        for (int attempt = 0; ; attempt++) {
            try (Connection db = database.getConnection()) {
                return Transactions.inTransaction(db, () -> {
                    boolean changed = ensureService(db, service);
                    Optional<Entry> before = instance(db, service, instanceNumber);
                    if (before.isPresent() && !before.get().node().equals(node)) {
                        throw new Taken("instance " + instanceNumber + " of " + service + " runs on node "
                                + before.get().node() + "; it must be undeployed there first");
                    }
                    if (before.isPresent() && before.get().node().equals(node) && before.get().nsIp().equals(nsIp)
                            && before.get().hostIp().equals(hostIp) && before.get().hostPort() == hostPort
                            && java.util.Objects.equals(before.get().nsIpV6(), nsIpV6)) {
                        return changed;
                    }
                    try (PreparedStatement delete = db.prepareStatement(
                            "DELETE FROM netmanager_instance WHERE service = ? AND instance_number = ?")) {
                        delete.setString(1, service);
                        delete.setInt(2, instanceNumber);
                        delete.executeUpdate();
                    }
                    try (PreparedStatement insert = db.prepareStatement("INSERT INTO netmanager_instance (service,"
                            + " instance_number, node, ns_ip, ns_ip_v6, host_ip, host_port, deployed_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                        insert.setString(1, service);
                        insert.setInt(2, instanceNumber);
                        insert.setString(3, node);
                        insert.setString(4, nsIp);
                        insert.setString(5, nsIpV6);
                        insert.setString(6, hostIp);
                        insert.setInt(7, hostPort);
                        insert.setTimestamp(8, Timestamp.from(Instant.now()));
                        insert.executeUpdate();
                    }
                    if (serviceIps(db, service).stream().noneMatch(ip -> ip.kind() == ServiceIpKind.instance
                            && ip.instance() == instanceNumber)) {
                        allocate(db, service, ServiceIpKind.instance, instanceNumber);
                    }
                    return true;
                });
            } catch (SQLException e) {
                if (attempt < TRIES && DatabaseErrors.isUniqueViolation(e)) {
                    continue; // another cluster took the address (or made the service) meanwhile
                }
                throw new IllegalStateException("the service table could not be written: " + DatabaseErrors.safeMessage(e));
            }
        }
    }

    /** Removes an instance when it runs on {@code node}; true when it did. Its instance IP is freed. */
    public boolean undeployed(String node, String service, int instanceNumber) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> {
                int removed;
                try (PreparedStatement delete = db.prepareStatement("DELETE FROM netmanager_instance WHERE service = ?"
                        + " AND instance_number = ? AND node = ?")) {
                    delete.setString(1, service);
                    delete.setInt(2, instanceNumber);
                    delete.setString(3, node);
                    removed = delete.executeUpdate();
                }
                if (removed > 0) {
                    try (PreparedStatement free = db.prepareStatement("DELETE FROM netmanager_service_ip WHERE service = ?"
                            + " AND kind = 'instance' AND instance_number = ?")) {
                        free.setString(1, service);
                        free.setInt(2, instanceNumber);
                        free.executeUpdate();
                    }
                }
                return removed > 0;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("the service table could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** The service's instances with their service IPs; empty when it is not known. */
    public List<Entry> instances(String service) {
        return read(db -> entries(db, "WHERE i.service = ?", service));
    }

    /** Every instance of every service. */
    public List<Entry> all() {
        return read(db -> entries(db, "", null));
    }

    /** The service a service IP (of any kind), or an instance's namespace address, belongs to. */
    public Optional<String> serviceOf(String address) {
        int value;
        try {
            value = Ipv4Net.address(address);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return read(db -> {
            try (PreparedStatement select = db.prepareStatement("SELECT service FROM netmanager_service_ip WHERE address = ?")) {
                select.setInt(1, value);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return Optional.of(row.getString(1));
                    }
                }
            }
            // an instance's namespace address (instances reach each other's directly too)
            try (PreparedStatement select = db.prepareStatement("SELECT service FROM netmanager_instance WHERE ns_ip = ?")) {
                select.setString(1, Ipv4Net.format(value));
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public boolean known(String service) {
        return read(db -> {
            try (PreparedStatement select = db.prepareStatement("SELECT 1 FROM netmanager_service WHERE name = ?")) {
                select.setString(1, service);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }

    /** Notes that {@code node} asked about {@code service} (it is told when the service changes). */
    public void interest(String service, String node) {
        try (Connection db = database.getConnection();
                PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO netmanager_interest (service, node, since) VALUES (?, ?, ?)")) {
            insert.setString(1, service);
            insert.setString(2, node);
            insert.setTimestamp(3, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!DatabaseErrors.isUniqueViolation(e)) { // asked before: noted once
                throw new IllegalStateException("the service table could not be written: " + DatabaseErrors.safeMessage(e));
            }
        }
    }

    public void removeInterest(String service, String node) {
        write(db -> {
            try (PreparedStatement delete = db.prepareStatement(
                    "DELETE FROM netmanager_interest WHERE service = ? AND node = ?")) {
                delete.setString(1, service);
                delete.setString(2, node);
                delete.executeUpdate();
            }
            return null;
        });
    }

    /** The nodes whose instances report the tunnel address {@code ip:port} (at most 10), by name. */
    public List<String> nodesAt(String ip, int port) {
        return read(db -> {
            List<String> nodes = new java.util.ArrayList<>();
            try (PreparedStatement select = db.prepareStatement("SELECT DISTINCT node FROM netmanager_instance"
                    + " WHERE host_ip = ? AND host_port = ? ORDER BY node")) {
                select.setString(1, ip);
                select.setInt(2, port);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next() && nodes.size() < 10) {
                        nodes.add(row.getString(1));
                    }
                }
            }
            return nodes;
        });
    }

    /** The nodes interested in {@code service}. */
    public List<String> interested(String service) {
        return read(db -> {
            List<String> nodes = new ArrayList<>();
            try (PreparedStatement select = db.prepareStatement(
                    "SELECT node FROM netmanager_interest WHERE service = ? ORDER BY node")) {
                select.setString(1, service);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        nodes.add(row.getString(1));
                    }
                }
            }
            return nodes;
        });
    }

    private boolean ensureService(Connection db, String service) throws SQLException {
        if (known(db, service)) {
            return false;
        }
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO netmanager_service (name, created_at) VALUES (?, ?)")) {
            insert.setString(1, service);
            insert.setTimestamp(2, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
        allocate(db, service, ServiceIpKind.round_robin, null);
        allocate(db, service, ServiceIpKind.closest, null);
        return true;
    }

    private static boolean known(Connection db, String service) throws SQLException {
        try (PreparedStatement select = db.prepareStatement("SELECT 1 FROM netmanager_service WHERE name = ?")) {
            select.setString(1, service);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** The lowest free address of the pool, taken for {@code service}. */
    private void allocate(Connection db, String service, ServiceIpKind kind, Integer instanceNumber) throws SQLException {
        long size = 1L << (32 - pool.prefix());
        long next = 1;
        try (PreparedStatement select = db.prepareStatement("SELECT address FROM netmanager_service_ip WHERE address >= ?"
                + " AND address <= ? ORDER BY address")) {
            select.setInt(1, pool.host(1));
            select.setInt(2, pool.host(size - 2));
            try (ResultSet row = select.executeQuery()) {
                while (row.next() && Integer.toUnsignedLong(row.getInt(1) - pool.base()) == next) {
                    next++;
                }
            }
        }
        if (next > size - 2) {
            throw new IllegalStateException("every address of the service network " + pool + " is handed out");
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO netmanager_service_ip (address, service, kind,"
                + " instance_number) VALUES (?, ?, ?, ?)")) {
            insert.setInt(1, pool.host(next));
            insert.setString(2, service);
            insert.setString(3, kind.name());
            if (instanceNumber == null) {
                insert.setNull(4, java.sql.Types.INTEGER);
            } else {
                insert.setInt(4, instanceNumber);
            }
            insert.executeUpdate();
        }
    }

    private record StoredIp(ServiceIpKind kind, int address, Integer instance) {
    }

    private static List<StoredIp> serviceIps(Connection db, String service) throws SQLException {
        List<StoredIp> out = new ArrayList<>();
        try (PreparedStatement select = db.prepareStatement("SELECT kind, address, instance_number FROM"
                + " netmanager_service_ip WHERE service = ? ORDER BY address")) {
            select.setString(1, service);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int instance = row.getInt(3);
                    out.add(new StoredIp(ServiceIpKind.valueOf(row.getString(1)), row.getInt(2), row.wasNull() ? null : instance));
                }
            }
        }
        return out;
    }

    private Optional<Entry> instance(Connection db, String service, int instanceNumber) throws SQLException {
        return entries(db, "WHERE i.service = ? AND i.instance_number = " + instanceNumber, service).stream().findFirst();
    }

    private List<Entry> entries(Connection db, String where, String service) throws SQLException {
        Map<String, List<StoredIp>> ips = new LinkedHashMap<>();
        List<Entry> out = new ArrayList<>();
        try (PreparedStatement select = db.prepareStatement("SELECT i.service, i.instance_number, i.node, i.ns_ip,"
                + " i.ns_ip_v6, i.host_ip, i.host_port FROM netmanager_instance i " + where
                + " ORDER BY i.service, i.instance_number")) {
            if (service != null) {
                select.setString(1, service);
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String name = row.getString(1);
                    int number = row.getInt(2);
                    List<StoredIp> stored = ips.get(name);
                    if (stored == null) {
                        stored = serviceIps(db, name);
                        ips.put(name, stored);
                    }
                    List<ServiceIp> reach = new ArrayList<>();
                    for (StoredIp ip : stored) {
                        if (ip.kind() != ServiceIpKind.instance || ip.instance() == number) {
                            reach.add(new ServiceIp(ip.kind(), Ipv4Net.format(ip.address())));
                        }
                    }
                    out.add(new Entry(name, number, row.getString(3), row.getString(4), row.getString(5), row.getString(6),
                            row.getInt(7), reach));
                }
            }
        }
        return out;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection db) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection db = database.getConnection()) {
            return work.run(db);
        } catch (SQLException e) {
            throw new IllegalStateException("the service table could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    private <T> T write(Work<T> work) {
        try (Connection db = database.getConnection()) {
            return Transactions.inTransaction(db, () -> work.run(db));
        } catch (SQLException e) {
            throw new IllegalStateException("the service table could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }
}
