import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The devices of bench/ssdp-notify.sh, run inside its network namespace: device i has address 10.215.(i/250).(i%250+1),
 * serves its description at http://&lt;address&gt;:8200/d/&lt;i&gt;.xml, and sends one ssdp:alive when told "i" on stdin;
 * it answers "sent i &lt;epoch µs&gt;". "w i": the same device address, another USN and LOCATION (a warm-up, not counted).
 * Prints "ready" once it serves.
 *   java bench/SsdpDevices.java <run id> <urn>
 */
public class SsdpDevices {

    static String address(int i) {
        return "10.215." + (i / 250) + "." + (i % 250 + 1);
    }

    public static void main(String[] args) throws Exception {
        String run = args[0];
        String urn = args[1];
        System.setProperty("sun.net.httpserver.nodelay", "true"); // headers and body apart, without waiting for an ACK
        HttpServer server = HttpServer.create(new InetSocketAddress(8200), 256);
        server.createContext("/d/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(3);
            int i = Integer.parseInt(name.substring(0, name.indexOf('.')));
            byte[] body = ("<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1"
                    + "</major><minor>0</minor></specVersion><device><deviceType>" + urn + "</deviceType><friendlyName>Bench"
                    + " box " + i + "</friendlyName><manufacturer>Netwarden bench</manufacturer><modelName>Box</modelName>"
                    + "<UDN>uuid:bench-" + run + "-" + i + "</UDN><serviceList><service><serviceType>"
                    + "urn:schemas-upnp-org:service:SwitchPower:1</serviceType><serviceId>urn:upnp-org:serviceId:Power"
                    + "</serviceId><controlURL>/ctl/power</controlURL></service></serviceList></device></root>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println("ready");
        System.out.flush();
        InetSocketAddress group = new InetSocketAddress(InetAddress.ofLiteral("239.255.255.250"), 1900);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            boolean warm = line.startsWith("w ");
            int i = Integer.parseInt(line.substring(warm ? 2 : 0).strip());
            String address = address(i);
            String device = (warm ? "uuid:warm-" : "uuid:bench-") + run + "-" + i;
            byte[] notify = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://"
                    + address + ":8200/d/" + i + ".xml" + (warm ? "?warm" : "") + "\r\nNT: " + urn + "\r\nNTS: ssdp:alive\r\n"
                    + "SERVER: Linux/6.1 UPnP/1.0 NetwardenBench/1\r\nUSN: " + device + "::" + urn + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral(address), 0))) {
                long sent = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
                socket.send(new DatagramPacket(notify, notify.length, group));
                System.out.println("sent " + i + " " + sent);
                System.out.flush();
            }
        }
        server.stop(0);
    }
}
