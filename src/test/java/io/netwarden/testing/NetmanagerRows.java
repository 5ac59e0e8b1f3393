package io.netwarden.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** Removes what a netmanager test left in the shared test database. */
public final class NetmanagerRows {

    private NetmanagerRows() {
    }

    /** A service of the cluster's table: its instances, service IPs, interests and the service itself. */
    public static void forgetService(DataSource database, String service) throws SQLException {
        try (Connection db = database.getConnection()) {
            for (String table : List.of("netmanager_instance", "netmanager_service_ip", "netmanager_interest")) {
                try (PreparedStatement delete = db.prepareStatement("DELETE FROM " + table + " WHERE service = ?")) {
                    delete.setString(1, service);
                    delete.executeUpdate();
                }
            }
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM netmanager_service WHERE name = ?")) {
                delete.setString(1, service);
                delete.executeUpdate();
            }
        }
    }
}
