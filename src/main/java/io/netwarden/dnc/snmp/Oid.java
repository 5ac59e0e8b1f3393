package io.netwarden.dnc.snmp;

import java.util.Arrays;
import java.util.List;

/** A numeric object identifier, dotted, without a leading dot ({@code 1.3.6.1.2.1.1.5.0}). */
public record Oid(String dotted) implements Comparable<Oid> {

    /** Longest dotted form accepted: 128 sub-identifiers of up to 10 digits (RFC 2578 allows 128) and their dots. */
    static final int MAX_LENGTH = 1408;

    public Oid {
        if (dotted == null) {
            throw new IllegalArgumentException("an OID is required");
        }
        if (dotted.length() > MAX_LENGTH + 1) {
            throw new IllegalArgumentException("malformed OID: longer than " + MAX_LENGTH + " characters");
        }
        if (dotted.startsWith(".")) {
            dotted = dotted.substring(1);
        }
        check(dotted);
    }

    /**
     * One pass over the characters, no regex (a regex with a repeated group recurses per sub-identifier and overflows
     * the stack on long input): numbers of at most 10 digits up to 4294967295, separated by single dots, at least two,
     * at most 128; the first is 0, 1 or 2, and under 0 and 1 the second is at most 39 (X.660).
     */
    private static void check(String dotted) {
        int arcs = 0;
        int digits = 0;
        long value = 0;
        long first = -1;
        for (int i = 0; i <= dotted.length(); i++) {
            char c = i < dotted.length() ? dotted.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (++digits > 10) {
                    throw malformed(dotted, "a sub-identifier is larger than 4294967295");
                }
                value = value * 10 + (c - '0');
            } else if (c == '.' && digits > 0) {
                if (value > 0xFFFFFFFFL) {
                    throw malformed(dotted, "a sub-identifier is larger than 4294967295");
                }
                if (arcs == 0) {
                    if (value > 2) {
                        throw malformed(dotted, "the first sub-identifier must be 0, 1 or 2");
                    }
                    first = value;
                } else if (arcs == 1 && first < 2 && value > 39) {
                    throw malformed(dotted, "under " + first + " the second sub-identifier is at most 39");
                }
                if (++arcs > 128) {
                    throw malformed(dotted, "more than 128 sub-identifiers");
                }
                digits = 0;
                value = 0;
            } else {
                throw malformed(dotted, "expected numbers separated by dots, e.g. 1.3.6.1.2.1.1.5.0");
            }
        }
        if (arcs < 2) {
            throw malformed(dotted, "expected at least two numbers separated by dots, e.g. 1.3.6.1.2.1.1.5.0");
        }
    }

    private static IllegalArgumentException malformed(String dotted, String why) {
        return new IllegalArgumentException("malformed OID '" + abbreviate(dotted) + "': " + why);
    }

    public static Oid of(String dotted) {
        return new Oid(dotted);
    }

    /** Each OID in its normal form (numeric, no leading dot), in order; the first malformed one is an error. */
    public static List<String> dottedAll(List<String> raw) {
        return raw.stream().map(o -> of(o == null ? null : o.strip()).dotted()).toList();
    }

    public int[] arcs() {
        return Arrays.stream(dotted.split("\\.")).mapToLong(Long::parseLong).mapToInt(l -> (int) l).toArray();
    }

    /** Whether this OID is {@code root} or lies below it. */
    public boolean within(Oid root) {
        return dotted.equals(root.dotted) || dotted.startsWith(root.dotted + ".");
    }

    /** Lexicographic order of the sub-identifiers, as SNMP orders OIDs. */
    @Override
    public int compareTo(Oid other) {
        String[] a = dotted.split("\\.");
        String[] b = other.dotted.split("\\.");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            int c = Long.compare(Long.parseLong(a[i]), Long.parseLong(b[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    /** At most 64 characters of it, and only digits and dots (the rest shown as '?'), so that an error can quote it. */
    private static String abbreviate(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(64, s.length()); i++) {
            char c = s.charAt(i);
            out.append(c == '.' || (c >= '0' && c <= '9') ? c : '?');
        }
        return s.length() > 64 ? out + "…" : out.toString();
    }

    @Override
    public String toString() {
        return dotted;
    }
}
