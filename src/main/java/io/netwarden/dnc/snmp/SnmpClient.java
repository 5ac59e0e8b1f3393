package io.netwarden.dnc.snmp;

import java.util.List;

/**
 * The agent's narrow view of SNMP: four read operations against one target. Implementations are thread-safe and
 * share one transport per process.
 */
public interface SnmpClient extends AutoCloseable {

    /** GET of each OID; missing ones come back as noSuchObject/noSuchInstance (v2c/v3). */
    List<Varbind> get(SnmpTarget target, List<Oid> oids) throws SnmpException;

    /** One GETBULK with the target's max-repetitions and no non-repeaters (v1: one GETNEXT per OID). */
    List<Varbind> getBulk(SnmpTarget target, List<Oid> oids) throws SnmpException;

    /** Every OID under {@code root}, one GETNEXT at a time. */
    List<Varbind> walk(SnmpTarget target, Oid root) throws SnmpException;

    /** Every OID under {@code root} with GETBULK (v1: GETNEXT). */
    List<Varbind> bulkWalk(SnmpTarget target, Oid root) throws SnmpException;

    @Override
    void close();
}
