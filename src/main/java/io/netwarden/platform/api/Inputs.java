package io.netwarden.platform.api;

/**
 * Rules every text field of a request passes before it is used: a length bound checked first (so nothing unbounded
 * reaches a regex or a column), and no control, format or separator characters — which would break log lines and
 * terminals, and include the bidi overrides (U+202E …) that make text read differently from what it is. Errors name the
 * field and never repeat its value: it may be a credential, and it may be exactly the text that should not be printed.
 */
public final class Inputs {

    private Inputs() {
    }

    /**
     * {@code value} stripped, or null when absent or blank.
     *
     * @throws ApiException 400 {@code code} when longer than {@code max} or holding a forbidden character
     */
    public static String text(String code, String field, String value, int max) {
        if (value == null) {
            return null;
        }
        check(code, field, value, max);
        String stripped = value.strip();
        return stripped.isEmpty() ? null : stripped;
    }

    /** As {@link #text}, but the value is required. */
    public static String required(String code, String field, String value, int max) {
        String text = text(code, field, value, max);
        if (text == null) {
            throw ApiException.badRequest(code, field + " is required");
        }
        return text;
    }

    /** Checks a value that is used as it is (a credential: spaces at its ends count). */
    public static void check(String code, String field, String value, int max) {
        if (value.length() > max) {
            throw ApiException.badRequest(code, field + " is longer than " + max + " characters");
        }
        int bad = firstForbidden(value);
        if (bad >= 0) {
            throw ApiException.badRequest(code, field + " holds a control, format or separator character (at position "
                    + (bad + 1) + "); those are not allowed");
        }
    }

    /**
     * Whether an error message may quote {@code value}: present, at most {@code max} characters, nothing forbidden in
     * it. Everything else is described, never quoted.
     */
    public static boolean quotable(String value, int max) {
        return value != null && value.length() <= max && firstForbidden(value) < 0;
    }

    /** Index of the first control (Cc), format (Cf, incl. bidi controls), separator (Zl, Zp) or lone surrogate; or -1. */
    public static int firstForbidden(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (forbiddenType(c)) {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return i;
                }
                if (forbiddenType(Character.toCodePoint(c, value.charAt(i + 1)))) {
                    return i;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Control (Cc), format (Cf, incl. bidi controls), line or paragraph separator. */
    private static boolean forbiddenType(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * {@code raw} from the network (a header, a device's name) made safe to store and show: every character that
     * {@link #firstForbidden} finds (controls, format and bidi characters, line and paragraph separators, lone
     * surrogates) becomes a space; at most {@code max} characters, stripped.
     */
    public static String displayable(CharSequence raw, int max) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), max));
        for (int i = 0; i < raw.length() && out.length() < max; i++) {
            char c = raw.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                if (out.length() + 2 > max) {
                    break;
                }
                int cp = Character.toCodePoint(c, raw.charAt(i + 1));
                i++;
                if (forbiddenType(cp)) {
                    out.append(' ');
                } else {
                    out.appendCodePoint(cp);
                }
                continue;
            }
            out.append(forbiddenType(c) || Character.isSurrogate(c) ? ' ' : c); // a surrogate here has no partner
        }
        return out.toString().strip();
    }
}
