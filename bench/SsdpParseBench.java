import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * SSDP packets parsed and matched against the whitelist per second, on one thread (one core), over real traffic: the
 * datagrams MiniDLNA and GSSDP sent in bench/ssdp-capture.sh (alive sets, byebyes, M-SEARCH answers, a control point's
 * M-SEARCHes; bench/captures/ssdp.txt: source address, tab, base64), each with its real source address, plus two a registry must drop (a LOCATION
 * on another host, a packet that is no SSDP). Prints the rate and the goal.
 *   java -cp target/classes bench/SsdpParseBench.java [seconds (10)] [captures (bench/captures/ssdp.txt)]
 */
public class SsdpParseBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path captures = Path.of(args.length > 1 ? args[1] : "bench/captures/ssdp.txt");
        List<byte[]> packets = new ArrayList<>();
        List<InetAddress> senders = new ArrayList<>();
        for (String line : Files.readAllLines(captures, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] record = line.split("\t", 2); // source address, tab, the datagram in base64
            packets.add(Base64.getDecoder().decode(record[1].strip()));
            senders.add(InetAddress.ofLiteral(record[0]));
        }
        int captured = packets.size();
        // a real alive set's first packet with its LOCATION moved to another host, and a packet that is no SSDP
        String alive = packets.stream().map(p -> new String(p, StandardCharsets.ISO_8859_1))
                .filter(p -> p.startsWith("NOTIFY") && p.contains("ssdp:alive")).findFirst().orElseThrow();
        packets.add(alive.replaceFirst("(?i)(LOCATION: *http://)[0-9.]+", "$1192.0.2.99").getBytes(StandardCharsets.ISO_8859_1));
        senders.add(senders.get(0));
        packets.add("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        senders.add(senders.get(0));
        byte[][] raw = packets.toArray(byte[][]::new);
        InetAddress[] from = senders.toArray(InetAddress[]::new);

        SearchTerms whitelist = new SearchTerms();
        whitelist.put(new SearchTerm("urn:schemas-upnp-org:device:MediaServer:1", "Media"));
        whitelist.put(new SearchTerm("urn:schemas-upnp-org:device:BinaryLight:1", "Lights"));

        run(raw, from, whitelist, Math.max(2, seconds / 2)); // warm-up
        double rate = run(raw, from, whitelist, seconds);
        System.out.printf("ssdp parse: %d captured datagrams from %s and 2 to drop, one thread, %d s%n", captured, captures,
                seconds);
        System.out.printf("netwarden  %,.0f packets/s parsed and matched against the whitelist   goal >= 50,000/s  %s%n", rate,
                rate >= 50_000 ? "met" : "NOT met");
    }

    private static double run(byte[][] raw, InetAddress[] from, SearchTerms whitelist, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long packets = 0;
        long matched = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < raw.length; i++) {
                if (SsdpParser.parse(raw[i], raw[i].length, from[i]) instanceof SsdpParser.Accepted a
                        && whitelist.tagOf(a.message().target()).isPresent()) {
                    matched++;
                }
            }
            packets += raw.length;
        }
        if (matched == 0) {
            throw new IllegalStateException("nothing matched: the mix is wrong");
        }
        return packets / ((System.nanoTime() - start) / 1e9);
    }
}
