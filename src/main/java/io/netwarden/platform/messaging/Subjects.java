package io.netwarden.platform.messaging;

/**
 * NATS subject rules, shared by both bus implementations: dot-separated tokens, no white space, {@code *} matches one
 * token and {@code >} the rest (only as the last token, only in subscriptions).
 */
public final class Subjects {

    private Subjects() {
    }

    /** Longest name that {@link #requireToken} takes. */
    public static final int MAX_TOKEN = 64;

    /**
     * A name that becomes one token of subjects (a pool, an agent, an edge node): 1 to {@value #MAX_TOKEN} ASCII letters,
     * digits, {@code _} or {@code -}.
     *
     * @param what the setting or field it comes from, for the message
     * @throws IllegalArgumentException naming {@code what}, never repeating the value
     */
    public static String requireToken(String what, String value) {
        boolean valid = value != null && !value.isEmpty() && value.length() <= MAX_TOKEN;
        for (int i = 0; valid && i < value.length(); i++) {
            valid = isTokenChar(value.charAt(i));
        }
        if (!valid) {
            throw new IllegalArgumentException(what + " must be 1-" + MAX_TOKEN
                    + " letters, digits, '_' or '-' (it is part of a NATS subject)");
        }
        return value;
    }

    /** Whether {@code c} may stand in a name {@link #requireToken} takes: ASCII letter or digit, {@code _}, {@code -}. */
    public static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    /** A subject to publish on: no wild cards. */
    public static String requireValidSubject(String subject) {
        requireTokens(subject, false);
        return subject;
    }

    /** A subject to subscribe to: may end in {@code >} and use {@code *}. */
    public static String requireValidFilter(String filter) {
        requireTokens(filter, true);
        return filter;
    }

    private static void requireTokens(String subject, boolean wildcards) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        String[] tokens = subject.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.isEmpty()) {
                throw new IllegalArgumentException("subject '" + subject + "' has an empty token");
            }
            for (int c = 0; c < token.length(); c++) {
                if (Character.isWhitespace(token.charAt(c))) {
                    throw new IllegalArgumentException("subject '" + subject + "' contains white space");
                }
            }
            boolean wildcard = token.equals("*") || token.equals(">");
            if (wildcard && !wildcards) {
                throw new IllegalArgumentException("cannot publish to the wild-card subject '" + subject + "'");
            }
            if (token.equals(">") && i != tokens.length - 1) {
                throw new IllegalArgumentException("'>' must be the last token of '" + subject + "'");
            }
        }
    }

    /** Whether {@code subject} matches the subscription {@code filter}. */
    public static boolean matches(String filter, String subject) {
        String[] f = filter.split("\\.", -1);
        String[] s = subject.split("\\.", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals(">")) {
                return s.length > i;
            }
            if (i >= s.length || !(f[i].equals("*") || f[i].equals(s[i]))) {
                return false;
            }
        }
        return f.length == s.length;
    }

    /**
     * Whether every subject {@code filter} matches is also matched by {@code wider} (JetStream's rule for a consumer's
     * filter against its stream's subjects): {@code ship1.command.*} is within {@code *.command.*}, {@code ship1.>} is not.
     */
    public static boolean isWithin(String filter, String wider) {
        String[] f = filter.split("\\.", -1);
        String[] w = wider.split("\\.", -1);
        for (int i = 0; i < f.length; i++) {
            if (i >= w.length) {
                return false;
            }
            if (w[i].equals(">")) {
                return true;
            }
            if (f[i].equals(">")) {
                return false;
            }
            if (!w[i].equals("*") && (f[i].equals("*") || !f[i].equals(w[i]))) {
                return false;
            }
        }
        return f.length == w.length;
    }
}
