package io.netwarden.netmanager.ipam;

/**
 * An IPv4 network, {@code 10.16.0.0/12}: its first address and prefix length. Addresses are kept as ints (unsigned
 * arithmetic where it matters). Immutable.
 */
public record Ipv4Net(int base, int prefix) {

    public Ipv4Net {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("a prefix length is 0-32");
        }
        if ((base & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(format(base) + "/" + prefix + " has host bits set (the network is "
                    + format(base & mask(prefix)) + "/" + prefix + ")");
        }
    }

    /** Reads {@code a.b.c.d/n}; the error names what is wrong. */
    public static Ipv4Net parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not a.b.c.d/prefix");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no prefix length after the /");
        }
        return new Ipv4Net(address(cidr.substring(0, slash)), prefix);
    }

    /** Reads a dotted quad strictly: four decimal numbers 0-255, no leading zeros, nothing else. */
    public static int address(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address (a.b.c.d)");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address (a.b.c.d)");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address (a.b.c.d)");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == base;
    }

    /** How many networks of {@code /subPrefix} this one holds. */
    public long count(int subPrefix) {
        if (subPrefix < prefix || subPrefix > 32) {
            throw new IllegalArgumentException("/" + subPrefix + " is not within /" + prefix);
        }
        return 1L << (subPrefix - prefix);
    }

    /** The {@code index}th network of {@code /subPrefix} in this one (0-based). */
    public Ipv4Net subnet(int subPrefix, long index) {
        if (index < 0 || index >= count(subPrefix)) {
            throw new IllegalArgumentException("subnet " + index + " of /" + subPrefix + " is beyond " + this);
        }
        return new Ipv4Net(base + (int) (index << (32 - subPrefix)), subPrefix);
    }

    /** Which {@code /subPrefix} of this one holds {@code address}; -1 when none does. */
    public long indexOf(int address, int subPrefix) {
        return contains(address) ? Integer.toUnsignedLong(address - base) >>> (32 - subPrefix) : -1;
    }

    /** The address {@code offset} after the network's own (1: the first host). */
    public int host(long offset) {
        if (offset < 0 || offset >= (1L << (32 - prefix))) {
            throw new IllegalArgumentException("host " + offset + " is beyond " + this);
        }
        return base + (int) offset;
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefix;
    }
}
