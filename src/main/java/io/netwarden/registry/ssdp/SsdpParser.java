package io.netwarden.registry.ssdp;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads one SSDP datagram, strictly: what it accepts is an advertisement the registry may act on, anything else is a
 * {@link DropReason} with a short detail, never an exception.
 *
 * <pre>
 *   bytes ─ > MAX_PACKET ─▶ TOO_LARGE      ─ a control byte (not CR, LF, TAB) ─▶ NOT_TEXT
 *     ─▶ start line: NOTIFY * HTTP/1.x │ HTTP/1.x 200 … (an answer) │ M-SEARCH * … ─▶ SEARCH_REQUEST │ else BAD_START_LINE
 *     ─▶ headers up to the empty line: "Name: value"; a folded line, a CR without LF, a name that is not a token or a
 *        line over MAX_LINE ─▶ BAD_HEADER; over MAX_HEADERS ─▶ TOO_MANY_HEADERS; one that matters here twice ─▶
 *        DUPLICATE_HEADER
 *     ─▶ USN, NT (NOTIFY) or ST (answer) present and printable; NTS one of ssdp:alive │ ssdp:update │ ssdp:byebye
 *     ─▶ LOCATION (not for byebye): http, no user info, the host an address literal equal to the sender's ─▶ else
 *        BAD_LOCATION │ FOREIGN_LOCATION
 *     ─▶ CACHE-CONTROL max-age (missing or unreadable: DEFAULT_MAX_AGE, flagged), BOOTID / CONFIGID when readable
 * </pre>
 *
 * Bare LF line ends are taken (some stacks send them); bytes above 0x7f are kept only in SERVER. The LOCATION rule is
 * stricter than common control points: a packet cannot point the registry at a third host. Thread safety: stateless.
 */
public final class SsdpParser {

    /** Larger datagrams are not SSDP (advertisements are a few hundred bytes). */
    public static final int MAX_PACKET = 8192;
    static final int MAX_HEADERS = 40;
    static final int MAX_LINE = 1024;
    static final int MAX_USN = 512;
    static final int MAX_TARGET = 255;
    static final int MAX_SERVER = 256;
    /** What a missing or unreadable CACHE-CONTROL means, as gssdp takes it. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1800);
    /** Longer max-ages are cut to this: a device that never renews is gone within a day. */
    public static final Duration LONGEST_MAX_AGE = Duration.ofDays(1);

    private SsdpParser() {
    }

    /** What {@link #parse} found. */
    public sealed interface Result permits Accepted, Dropped {
    }

    public record Accepted(SsdpMessage message) implements Result {
    }

    /** @param detail a few words for the debug log; never the packet itself */
    public record Dropped(DropReason reason, String detail) implements Result {
    }

    private static Dropped drop(DropReason reason, String detail) {
        return new Dropped(reason, detail);
    }

    /** The headers that matter here, each taken at most once. */
    private enum Header {
        USN, NT, NTS, ST, LOCATION, CACHE_CONTROL, SERVER, BOOTID, CONFIGID, NEXTBOOTID
    }

    private static final Map<String, Header> HEADERS = Map.of("USN", Header.USN, "NT", Header.NT, "NTS", Header.NTS,
            "ST", Header.ST, "LOCATION", Header.LOCATION, "CACHE-CONTROL", Header.CACHE_CONTROL, "SERVER", Header.SERVER,
            "BOOTID.UPNP.ORG", Header.BOOTID, "CONFIGID.UPNP.ORG", Header.CONFIGID, "NEXTBOOTID.UPNP.ORG", Header.NEXTBOOTID);

    public static Result parse(byte[] data, int length, InetAddress source) {
        if (length > MAX_PACKET) {
            return drop(DropReason.TOO_LARGE, length + " bytes");
        }
        for (int i = 0; i < length; i++) {
            int b = data[i] & 0xff;
            if (b < 0x20 && b != '\r' && b != '\n' && b != '\t' || b == 0x7f) {
                return drop(DropReason.NOT_TEXT, "control byte " + b + " at " + i);
            }
        }
        String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
        int lineEnd = lineEnd(text, 0);
        if (lineEnd < 0) {
            return drop(DropReason.BAD_START_LINE, "no line end");
        }
        String start = line(text, 0, lineEnd);
        SsdpMessage.Kind kind;
        boolean notify;
        if (start.equals("NOTIFY * HTTP/1.1") || start.equals("NOTIFY * HTTP/1.0")) {
            notify = true;
            kind = null; // from NTS
        } else if ((start.startsWith("HTTP/1.1 200") || start.startsWith("HTTP/1.0 200"))
                && (start.length() == 12 || start.charAt(12) == ' ')) {
            notify = false;
            kind = SsdpMessage.Kind.SEARCH_RESPONSE;
        } else if (start.startsWith("M-SEARCH ")) {
            return drop(DropReason.SEARCH_REQUEST, "M-SEARCH");
        } else {
            return drop(DropReason.BAD_START_LINE, "not NOTIFY, M-SEARCH or HTTP/1.x 200");
        }
        Map<Header, String> headers = new EnumMap<>(Header.class);
        Dropped bad = readHeaders(text, lineEnd + 1, headers);
        if (bad != null) {
            return bad;
        }
        String usn = headers.get(Header.USN);
        if (usn == null || usn.isEmpty()) {
            return drop(DropReason.MISSING_USN, "no USN");
        }
        if (!printable(usn, MAX_USN)) {
            return drop(DropReason.BAD_USN, "USN not 1-" + MAX_USN + " printable characters");
        }
        String target = notify ? headers.get(Header.NT) : headers.get(Header.ST);
        if (target == null || target.isEmpty()) {
            return drop(DropReason.MISSING_TARGET, notify ? "no NT" : "no ST");
        }
        if (!printable(target, MAX_TARGET)) {
            return drop(DropReason.BAD_TARGET, (notify ? "NT" : "ST") + " not 1-" + MAX_TARGET + " printable characters");
        }
        if (!namesTarget(usn, target)) {
            // UDA: uuid:<device> for NT uuid:<device>, else uuid:<device>::<NT>; another pairing claims what it is not
            return drop(DropReason.USN_MISMATCH, "USN does not end in its " + (notify ? "NT" : "ST"));
        }
        if (notify) {
            String nts = headers.get(Header.NTS);
            if (nts == null) {
                return drop(DropReason.MISSING_NTS, "no NTS");
            }
            kind = switch (nts.toLowerCase(Locale.ROOT)) {
                case "ssdp:alive" -> SsdpMessage.Kind.ALIVE;
                case "ssdp:update" -> SsdpMessage.Kind.UPDATE;
                case "ssdp:byebye" -> SsdpMessage.Kind.BYEBYE;
                default -> null;
            };
            if (kind == null) {
                return drop(DropReason.UNKNOWN_NTS, "NTS not ssdp:alive, ssdp:update or ssdp:byebye");
            }
        }
        Optional<URI> location = Optional.empty();
        if (kind != SsdpMessage.Kind.BYEBYE) {
            String given = headers.get(Header.LOCATION);
            if (given == null || given.isEmpty()) {
                return drop(DropReason.MISSING_LOCATION, "no LOCATION");
            }
            Located checked = location(given, source);
            if (checked.refused() != null) {
                return checked.refused();
            }
            location = Optional.of(checked.uri());
        }
        long maxAge = maxAgeSeconds(headers.get(Header.CACHE_CONTROL));
        return new Accepted(new SsdpMessage(kind, usn, target, location, server(headers.get(Header.SERVER)),
                maxAge < 0 ? DEFAULT_MAX_AGE : Duration.ofSeconds(Math.min(maxAge, LONGEST_MAX_AGE.toSeconds())),
                maxAge < 0, bootId(kind, headers), number(headers.get(Header.CONFIGID)), source));
    }

    /**
     * The device's boot id from now on: an ssdp:update announces its next one (NEXTBOOTID, taken only beside its current
     * BOOTID, as UDA sends them), others their current one.
     */
    private static OptionalLong bootId(SsdpMessage.Kind kind, Map<Header, String> headers) {
        OptionalLong current = number(headers.get(Header.BOOTID));
        OptionalLong next = number(headers.get(Header.NEXTBOOTID));
        return kind == SsdpMessage.Kind.UPDATE && current.isPresent() && next.isPresent() ? next : current;
    }

    /**
     * Whether {@code usn} is the one UDA gives {@code target}, exactly: {@code uuid:<device>} for the target
     * {@code uuid:<device>}, else {@code uuid:<device>::<target>}, the device part not empty. (Exactly: a variant in
     * case would be another USN, so another registration of the same thing.)
     */
    static boolean namesTarget(String usn, String target) {
        int separator = usn.indexOf("::");
        String device = separator < 0 ? usn : usn.substring(0, separator);
        if (!device.startsWith("uuid:") || device.length() == "uuid:".length()) {
            return false;
        }
        return separator < 0 ? usn.equals(target) : !target.startsWith("uuid:") && usn.substring(separator + 2).equals(target);
    }

    /** Reads header lines from {@code from} up to the empty line (or the end); null when they are all right. */
    private static Dropped readHeaders(String text, int from, Map<Header, String> headers) {
        int count = 0;
        int at = from;
        while (at < text.length()) {
            int end = lineEnd(text, at);
            if (end < 0) {
                end = text.length(); // the last line without its line end
            }
            String line = line(text, at, end);
            if (end - at > MAX_LINE) {
                return drop(DropReason.BAD_HEADER, "a line over " + MAX_LINE + " characters");
            }
            if (line.indexOf('\r') >= 0) {
                return drop(DropReason.BAD_HEADER, "a CR inside a line");
            }
            at = end + 1;
            if (line.isEmpty()) {
                break; // the end of the headers; SSDP has no body
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                return drop(DropReason.BAD_HEADER, "a folded header line");
            }
            if (++count > MAX_HEADERS) {
                return drop(DropReason.TOO_MANY_HEADERS, "over " + MAX_HEADERS + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !token(line, colon)) {
                return drop(DropReason.BAD_HEADER, "a line that is not \"Name: value\"");
            }
            String name = line.substring(0, colon).toUpperCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            Header known = HEADERS.get(name); // HOST, EXT, DATE, OPT, 01-NLS …: not used here
            if (known != null && headers.putIfAbsent(known, value) != null) {
                return drop(DropReason.DUPLICATE_HEADER, name + " twice");
            }
        }
        return null;
    }

    /** The index of the LF that ends the line starting at {@code from}, or -1. */
    private static int lineEnd(String text, int from) {
        return text.indexOf('\n', from);
    }

    /** The line from {@code from} to the LF at {@code end}, without a CR before it. */
    private static String line(String text, int from, int end) {
        int last = end > from && text.charAt(end - 1) == '\r' ? end - 1 : end;
        return text.substring(from, last);
    }

    private static boolean token(String line, int end) {
        for (int i = 0; i < end; i++) {
            char c = line.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 1 to {@code max} characters from 0x21 to 0x7e. */
    private static boolean printable(String value, int max) {
        if (value.isEmpty() || value.length() > max) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A LOCATION checked: its URI, or why it was refused. */
    private record Located(URI uri, Dropped refused) {
    }

    private static Located location(String value, InetAddress source) {
        if (!printable(value, MAX_LINE)) {
            return new Located(null, drop(DropReason.BAD_LOCATION, "LOCATION not printable"));
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return new Located(null, drop(DropReason.BAD_LOCATION, "LOCATION is not a URL"));
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            return new Located(null, drop(DropReason.BAD_LOCATION, "LOCATION is not http"));
        }
        if (uri.getRawUserInfo() != null || uri.getHost() == null || uri.getPort() > 65535) {
            return new Located(null, drop(DropReason.BAD_LOCATION, "LOCATION has user info, no host or a bad port"));
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(host); // never a name lookup
        } catch (IllegalArgumentException e) {
            return new Located(null, drop(DropReason.FOREIGN_LOCATION, "LOCATION names a host, not the sender's address"));
        }
        if (!address.equals(source)) {
            return new Located(null, drop(DropReason.FOREIGN_LOCATION, "LOCATION is on another address than the sender's"));
        }
        return new Located(uri, null);
    }

    /** The max-age directive in seconds, or -1 when there is none that reads as 0-999999999. */
    static long maxAgeSeconds(String cacheControl) {
        if (cacheControl == null) {
            return -1;
        }
        for (String directive : cacheControl.split(",", 8)) {
            int equals = directive.indexOf('=');
            if (equals > 0 && directive.substring(0, equals).strip().equalsIgnoreCase("max-age")) {
                String digits = directive.substring(equals + 1).strip();
                if (digits.startsWith("\"") && digits.endsWith("\"") && digits.length() >= 2) {
                    digits = digits.substring(1, digits.length() - 1);
                }
                return digits.length() >= 1 && digits.length() <= 9 && digits.chars().allMatch(Character::isDigit)
                        ? Long.parseLong(digits) : -1;
            }
        }
        return -1;
    }

    private static OptionalLong number(String value) {
        if (value == null || value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long n = Long.parseLong(value);
        return n <= Integer.MAX_VALUE ? OptionalLong.of(n) : OptionalLong.empty();
    }

    /** SERVER as shown: read as UTF-8, control characters made spaces, cut to {@link #MAX_SERVER} characters. */
    private static String server(String latin1) {
        if (latin1 == null) {
            return "";
        }
        String value = new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return io.netwarden.platform.api.Inputs.displayable(value, MAX_SERVER); // no bidi or format tricks in the API
    }
}
