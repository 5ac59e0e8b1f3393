package io.netwarden.platform.persistence;

/** Text as every database the platform runs on takes it. Stateless. */
public final class DatabaseText {

    private DatabaseText() {
    }

    /**
     * PostgreSQL refuses NUL in text columns (H2 takes it), so text from outside — a command's output — would make a row
     * unstorable on one database and not the other. NUL becomes U+FFFD.
     */
    public static String storable(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /** {@link #storable(String)}, cut to at most {@code maxChars} characters (a column's or a log's cap). */
    public static String storable(String text, int maxChars) {
        return storable(text.length() > maxChars ? text.substring(0, maxChars) : text);
    }
}
