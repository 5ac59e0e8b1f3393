package io.netwarden.dnc.jobs;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a job does on its element. */
public enum Operation {
    SNMP_GET("snmp.get"),
    SNMP_GETBULK("snmp.getbulk"),
    SNMP_WALK("snmp.walk"),
    SNMP_BULKWALK("snmp.bulkwalk"),
    TELNET_COMMAND("telnet.command"),
    PROVISION("provision");

    private final String id;

    Operation(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean snmp() {
        return id.startsWith("snmp.");
    }

    public static Optional<Operation> fromId(String id) {
        return Arrays.stream(values()).filter(o -> o.id.equals(id)).findFirst();
    }

    public static String validNames() {
        return Arrays.stream(values()).map(Operation::id).collect(Collectors.joining(", "));
    }
}
