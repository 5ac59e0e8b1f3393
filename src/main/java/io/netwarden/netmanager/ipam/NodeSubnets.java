package io.netwarden.netmanager.ipam;

import io.netwarden.platform.persistence.DatabaseErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The cluster's node subnets: one {@code /24} of the container network per node, with an IPv6 {@code /120} beside it
 * (Oakestra's {@code fc00::} + 0x100 per subnet), kept in the database.
 *
 * <pre>
 *   allocate(node) ─ stored ─▶ the same subnet (a restarted node gets its own back)
 *                  └ new ─▶ the lowest free index, reserved ones skipped ─▶ insert
 *                           └ another cluster on the database took that index meanwhile (unique index) ─▶ next free
 *                  none free ─▶ {@link Exhausted}
 * </pre>
 *
 * Thread safety: stateless apart from the database; two allocations at once are decided by its primary key (one node)
 * and unique index (one subnet).
 */
public final class NodeSubnets {

    /** The subnet of each node. */
    public static final int PREFIX = 24;
    private static final int TRIES = 20;

    /** One node's subnet. */
    public record Allocation(String node, Ipv4Net subnet, String subnetV6, Instant allocatedAt) {
        /** The subnet's own address, as Oakestra's {@code subnetwork/result} gives it ({@code 10.16.3.0}). */
        public String address() {
            return Ipv4Net.format(subnet.base());
        }
    }

    /** Every subnet of the container network is handed out. */
    public static final class Exhausted extends IllegalStateException {
        Exhausted(String message) {
            super(message);
        }
    }

    private final DataSource database;
    private final Ipv4Net pool;
    private final Set<Long> reserved;

    /**
     * @param pool the container network ({@code 10.16.0.0/12}: 4,096 subnets)
     * @param reserved subnets never handed out (the one a node without cluster uses, 10.19.1.0/24)
     */
    public NodeSubnets(DataSource database, Ipv4Net pool, List<Ipv4Net> reserved) {
        if (pool.prefix() > PREFIX) {
            throw new IllegalArgumentException("the container network " + pool + " is smaller than one /" + PREFIX);
        }
        if (pool.count(PREFIX) > 65_536) {
            throw new IllegalArgumentException("the container network " + pool + " holds more than 65,536 subnets; /8 at most");
        }
        this.database = database;
        this.pool = pool;
        Set<Long> indexes = new TreeSet<>();
        for (Ipv4Net net : reserved) {
            long index = pool.indexOf(net.base(), PREFIX);
            if (index >= 0) {
                indexes.add(index);
            }
        }
        this.reserved = Set.copyOf(indexes);
    }

    public Ipv4Net pool() {
        return pool;
    }

    /** The node's subnet: the one it has, or a new one. */
    public Allocation allocate(String node) {
        try (Connection db = database.getConnection()) {
            Instant now = Instant.now();
            for (int attempt = 0; attempt < TRIES; attempt++) {
                Optional<Allocation> known = find(db, node);
                if (known.isPresent()) {
                    touch(db, node, now);
                    return known.get();
                }
                long free = lowestFree(db);
                if (free < 0) {
                    throw new Exhausted("every /" + PREFIX + " of " + pool + " is handed out (" + (pool.count(PREFIX)
                            - reserved.size()) + " nodes); node " + node + " gets none");
                }
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO netmanager_subnet (node, subnet_index,"
                        + " allocated_at, requested_at) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, node);
                    insert.setInt(2, (int) free);
                    insert.setTimestamp(3, Timestamp.from(now));
                    insert.setTimestamp(4, Timestamp.from(now));
                    insert.executeUpdate();
                    return allocation(node, free, now);
                } catch (SQLException e) {
                    if (!DatabaseErrors.isUniqueViolation(e)) {
                        throw e;
                    }
                    // the node or the subnet was taken meanwhile (another request, another cluster): look again
                }
            }
            throw new IllegalStateException("no subnet for node " + node + " after " + TRIES + " tries: other allocations"
                    + " keep taking the free ones");
        } catch (SQLException e) {
            throw new IllegalStateException("the subnet table could not be used: " + DatabaseErrors.safeMessage(e));
        }
    }

    public Optional<Allocation> find(String node) {
        try (Connection db = database.getConnection()) {
            return find(db, node);
        } catch (SQLException e) {
            throw new IllegalStateException("the subnet table could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Every allocation, by subnet. */
    public List<Allocation> list() {
        List<Allocation> out = new ArrayList<>();
        try (Connection db = database.getConnection();
                PreparedStatement select = db.prepareStatement(
                        "SELECT node, subnet_index, allocated_at FROM netmanager_subnet ORDER BY subnet_index");
                ResultSet row = select.executeQuery()) {
            while (row.next()) {
                out.add(allocation(row.getString(1), row.getInt(2), row.getTimestamp(3).toInstant()));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("the subnet table could not be read: " + DatabaseErrors.safeMessage(e));
        }
    }

    /** Frees the node's subnet (a node taken out of the cluster for good); false when it had none. */
    public boolean release(String node) {
        try (Connection db = database.getConnection();
                PreparedStatement delete = db.prepareStatement("DELETE FROM netmanager_subnet WHERE node = ?")) {
            delete.setString(1, node);
            return delete.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("the subnet table could not be written: " + DatabaseErrors.safeMessage(e));
        }
    }

    private Optional<Allocation> find(Connection db, String node) throws SQLException {
        try (PreparedStatement select = db.prepareStatement(
                "SELECT subnet_index, allocated_at FROM netmanager_subnet WHERE node = ?")) {
            select.setString(1, node);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(allocation(node, row.getInt(1), row.getTimestamp(2).toInstant()))
                        : Optional.empty();
            }
        }
    }

    private static void touch(Connection db, String node, Instant now) throws SQLException {
        try (PreparedStatement update = db.prepareStatement("UPDATE netmanager_subnet SET requested_at = ? WHERE node = ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, node);
            update.executeUpdate();
        }
    }

    private long lowestFree(Connection db) throws SQLException {
        long next = 0;
        long size = pool.count(PREFIX);
        try (PreparedStatement select = db.prepareStatement("SELECT subnet_index FROM netmanager_subnet ORDER BY subnet_index");
                ResultSet row = select.executeQuery()) {
            while (true) {
                while (reserved.contains(next)) {
                    next++;
                }
                if (!row.next() || row.getInt(1) > next) {
                    return next < size ? next : -1;
                }
                next = Math.max(next, row.getInt(1) + 1L);
            }
        }
    }

    private Allocation allocation(String node, long index, Instant at) {
        return new Allocation(node, pool.subnet(PREFIX, index), v6(index), at);
    }

    /** {@code fc00::} + 0x100 × index, as Oakestra numbers its IPv6 /120s. */
    static String v6(long index) {
        long value = index << 8;
        long high = value >>> 16;
        long low = value & 0xffff;
        if (high == 0) {
            return low == 0 ? "fc00::" : "fc00::" + Long.toHexString(low);
        }
        return "fc00::" + Long.toHexString(high) + ":" + Long.toHexString(low);
    }
}
