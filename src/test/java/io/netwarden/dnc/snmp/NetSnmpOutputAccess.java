package io.netwarden.dnc.snmp;

import java.util.ArrayList;
import java.util.List;

/** Lets tests in other packages run net-snmp's snmpbulkwalk through {@link NetSnmpOutput}. */
public final class NetSnmpOutputAccess {

    private NetSnmpOutputAccess() {
    }

    /** The OIDs {@code snmpbulkwalk -v2c -On} returns for the whole agent, in order. */
    public static List<String> walk(String endpoint, String community) throws Exception {
        return new ArrayList<>(NetSnmpOutput.run(List.of("snmpbulkwalk", "-v2c", "-c", community, "-On", endpoint, "1.3.6.1")).keySet());
    }
}
