package io.netwarden.dnc.snmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs net-snmp's command-line tools and reads their {@code -On} output into comparable varbinds. */
final class NetSnmpOutput {

    private static final Pattern LINE = Pattern.compile("^(\\.[0-9.]+) = (.*)$");

    private NetSnmpOutput() {
    }

    /** One varbind as net-snmp printed it: our type name and the value's raw bytes (strings) or text. */
    record Entry(String oid, String type, String value) {
    }

    static Map<String, Entry> run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + new String(process.getErrorStream().readAllBytes()));
        }
        return parse(out);
    }

    static Map<String, Entry> parse(String output) {
        List<String[]> raw = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                raw.add(new String[] {m.group(1).substring(1), m.group(2)});
            } else if (!raw.isEmpty() && !line.isEmpty()) {
                raw.getLast()[1] = raw.getLast()[1] + "\n" + line; // continuation of a wrapped or multi-line value
            }
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String[] r : raw) {
            if (r[1].startsWith("No more variables left")) {
                continue;
            }
            Entry e = entry(r[0], r[1]);
            entries.put(e.oid(), e);
        }
        return entries;
    }

    private static Entry entry(String oid, String printed) {
        if (printed.equals("\"\"")) {
            return new Entry(oid, "OctetString", "");
        }
        int colon = printed.indexOf(": ");
        String kind = colon < 0 ? printed : printed.substring(0, colon);
        String value = colon < 0 ? "" : printed.substring(colon + 2);
        return switch (kind) {
            case "STRING" -> new Entry(oid, "OctetString", unquote(value));
            case "Hex-STRING" -> new Entry(oid, "OctetString", new String(HexFormat.of().parseHex(value.replaceAll("\\s", "")),
                    StandardCharsets.ISO_8859_1));
            case "INTEGER" -> new Entry(oid, "Integer32", value.strip());
            case "Counter32", "Counter64", "Gauge32", "IpAddress" -> new Entry(oid, kind, value.strip());
            case "Timeticks" -> new Entry(oid, "TimeTicks", value.substring(value.indexOf('(') + 1, value.indexOf(')')));
            case "OID" -> new Entry(oid, "OID", value.strip().substring(1));
            case "Opaque" -> new Entry(oid, "Opaque", value);
            case "NULL" -> new Entry(oid, "Null", "");
            default -> throw new IllegalArgumentException("unexpected net-snmp value for " + oid + ": " + printed);
        };
    }

    private static String unquote(String quoted) {
        String inner = quoted.substring(1, quoted.length() - 1);
        return new String(inner.replace("\\\"", "\"").getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Our OctetString value as the same byte string (ISO-8859-1 view), for comparison with {@link Entry#value()}. */
    static String bytesOf(Varbind vb) {
        if (vb.value().startsWith("0x")) {
            return new String(HexFormat.of().parseHex(vb.value().substring(2)), StandardCharsets.ISO_8859_1);
        }
        return new String(vb.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
