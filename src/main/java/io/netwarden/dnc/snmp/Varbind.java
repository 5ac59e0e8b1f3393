package io.netwarden.dnc.snmp;

import java.util.Objects;

/**
 * One variable binding as the API shows it: numeric OID, SMI type name and the value as text.
 *
 * <p>Types: Integer32, Counter32, Counter64, Gauge32, TimeTicks (hundredths of a second), OctetString (text when
 * printable UTF-8, otherwise {@code 0x}-prefixed hex), OID, IpAddress, Opaque (hex), Null, noSuchObject,
 * noSuchInstance, endOfMibView (the last four with an empty value).
 */
public record Varbind(String oid, String type, String value) {

    public Varbind {
        Objects.requireNonNull(oid, "oid");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
