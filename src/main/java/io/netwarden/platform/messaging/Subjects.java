package io.netwarden.platform.messaging;

/**
 * NATS subject rules, shared by both bus implementations: dot-separated tokens, no white space, {@code *} matches one
 * token and {@code >} the rest (only as the last token, only in subscriptions).
 */
public final class Subjects {

    private Subjects() {
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
}
