import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SSDP packets parsed and matched against the whitelist per second, on one thread (one core), over a mix as a LAN carries
 * it: a MiniDLNA server's alive set (root device, UDN, device type, three service types), gssdp answers to an
 * M-SEARCH, byebyes, other control points' M-SEARCHes and a few broken packets. Prints the rate and the goal.
 *   java -cp target/classes bench/SsdpParseBench.java [seconds (10)]
 */
public class SsdpParseBench {

    private static final String DEVICE = "uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d";

    private static String alive(String nt, String usn) {
        return "NOTIFY * HTTP/1.1\r\nHOST:239.255.255.250:1900\r\nCACHE-CONTROL:max-age=1810\r\n"
                + "LOCATION:http://192.0.2.10:8200/rootDesc.xml\r\nSERVER: Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.3\r\n"
                + "NT:" + nt + "\r\nUSN:" + usn + "\r\nNTS:ssdp:alive\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
                + "01-NLS: 1\r\nBOOTID.UPNP.ORG: 1700000000\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n";
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        List<String> packets = new ArrayList<>();
        for (String nt : List.of("upnp:rootdevice", DEVICE, "urn:schemas-upnp-org:device:MediaServer:1",
                "urn:schemas-upnp-org:service:ContentDirectory:1", "urn:schemas-upnp-org:service:ConnectionManager:1",
                "urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1")) {
            packets.add(alive(nt, nt.equals(DEVICE) ? DEVICE : DEVICE + "::" + nt));
        }
        packets.add("HTTP/1.1 200 OK\r\nLocation: http://192.0.2.10:40427/cc3fbc5a.xml\r\nExt:\r\n"
                + "USN: uuid:cc3fbc5a-a2d3-4d5a-9b3b-77e0c5f7a001::urn:schemas-upnp-org:service:SwitchPower:1\r\n"
                + "Server: Linux/6.1 UPnP/1.0 GUPnP/1.6.3\r\nCache-Control: max-age=1800\r\n"
                + "ST: urn:schemas-upnp-org:service:SwitchPower:1\r\nDate: Tue, 01 Dec 2026 08:00:00 GMT\r\n"
                + "Content-Length: 0\r\n\r\n");
        packets.add("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: urn:schemas-upnp-org:device:MediaServer:1\r\n"
                + "NTS: ssdp:byebye\r\nUSN: " + DEVICE + "::urn:schemas-upnp-org:device:MediaServer:1\r\n\r\n");
        packets.add("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
                + "ST: ssdp:all\r\n\r\n");
        packets.add(alive("urn:schemas-upnp-org:device:MediaServer:1", DEVICE).replace("192.0.2.10:8200", "192.0.2.99:80"));
        packets.add("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        byte[][] raw = packets.stream().map(p -> p.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);

        SearchTerms whitelist = new SearchTerms();
        whitelist.put(new SearchTerm("urn:schemas-upnp-org:device:MediaServer:1", "Media"));
        whitelist.put(new SearchTerm("urn:schemas-upnp-org:service:SwitchPower:1", "Lights"));
        InetAddress sender = InetAddress.ofLiteral("192.0.2.10");

        run(raw, whitelist, sender, Math.max(2, seconds / 2)); // warm-up
        double rate = run(raw, whitelist, sender, seconds);
        System.out.printf("ssdp parse: %d packet kinds, one thread, %d s%n", raw.length, seconds);
        System.out.printf("netwarden  %,.0f packets/s parsed and matched against the whitelist   goal >= 50,000/s  %s%n", rate,
                rate >= 50_000 ? "met" : "NOT met");
    }

    private static double run(byte[][] raw, SearchTerms whitelist, InetAddress sender, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long packets = 0;
        long matched = 0;
        while (System.nanoTime() < end) {
            for (byte[] packet : raw) {
                if (SsdpParser.parse(packet, packet.length, sender) instanceof SsdpParser.Accepted a
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
