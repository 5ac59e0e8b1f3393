package io.netwarden.dnc.snmp;

import java.util.Locale;

/** SNMP protocol versions, by their usual names. */
public enum SnmpVersion {
    V1("v1"), V2C("v2c"), V3("v3");

    private final String id;

    SnmpVersion(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static SnmpVersion parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (SnmpVersion version : values()) {
            if (version.id.equals(v)) {
                return version;
            }
        }
        throw new IllegalArgumentException("unknown SNMP version; one of v1, v2c, v3");
    }
}
