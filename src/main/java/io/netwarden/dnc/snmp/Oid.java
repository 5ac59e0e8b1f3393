package io.netwarden.dnc.snmp;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** A numeric object identifier, dotted, without a leading dot ({@code 1.3.6.1.2.1.1.5.0}). */
public record Oid(String dotted) implements Comparable<Oid> {

    private static final Pattern FORM = Pattern.compile("\\d+(\\.\\d+)+");

    public Oid {
        if (dotted == null) {
            throw new IllegalArgumentException("an OID is required");
        }
        if (dotted.startsWith(".")) {
            dotted = dotted.substring(1);
        }
        if (!FORM.matcher(dotted).matches() || dotted.length() > 1408) {
            throw new IllegalArgumentException("malformed OID '" + abbreviate(dotted)
                    + "': expected numbers separated by dots, e.g. 1.3.6.1.2.1.1.5.0");
        }
        for (String arc : dotted.split("\\.")) {
            if (arc.length() > 10 || Long.parseLong(arc) > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("malformed OID '" + abbreviate(dotted) + "': sub-identifier " + arc
                        + " is larger than 4294967295");
            }
        }
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

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    @Override
    public String toString() {
        return dotted;
    }
}
