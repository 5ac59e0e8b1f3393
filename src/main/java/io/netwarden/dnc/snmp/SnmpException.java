package io.netwarden.dnc.snmp;

/**
 * An SNMP request that did not give a usable answer. {@link #code()} is stable for API clients: {@code timed_out},
 * {@code snmp_error} (the agent returned an error status), {@code auth_failed} (v3 report), {@code bad_response}
 * (undecodable packets, OIDs not increasing), {@code io_error}.
 */
public class SnmpException extends Exception {

    private final String code;

    public SnmpException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
