package io.netwarden.dnc.telnet;

/**
 * A telnet job that could not complete. Codes: {@code connect_failed}, {@code login_failed}, {@code timed_out}
 * (no prompt in time), {@code command_error} (output matched an error pattern), {@code output_too_large},
 * {@code io_error} (the connection broke).
 */
public class TelnetException extends Exception {

    private final String code;

    public TelnetException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
