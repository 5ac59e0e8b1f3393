package io.netwarden.registry.ssdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SSDP parser on advertisements as real stacks send them, and on what an attacker or a broken device sends. */
class SsdpParserTest {

    private static final InetAddress SENDER = InetAddress.ofLiteral("192.0.2.10");

    /** As MiniDLNA sends its ssdp:alive (CRLF, upper-case names, a Debian SERVER string). */
    static final String MINIDLNA_ALIVE = "NOTIFY * HTTP/1.1\r\n"
            + "HOST:239.255.255.250:1900\r\n"
            + "CACHE-CONTROL:max-age=1810\r\n"
            + "LOCATION:http://192.0.2.10:8200/rootDesc.xml\r\n"
            + "SERVER: Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.3\r\n"
            + "NT:urn:schemas-upnp-org:device:MediaServer:1\r\n"
            + "USN:uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d::urn:schemas-upnp-org:device:MediaServer:1\r\n"
            + "NTS:ssdp:alive\r\n"
            + "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
            + "01-NLS: 1\r\n"
            + "BOOTID.UPNP.ORG: 1700000000\r\n"
            + "CONFIGID.UPNP.ORG: 1337\r\n"
            + "\r\n";

    /** As gssdp answers an M-SEARCH. */
    static final String GSSDP_RESPONSE = "HTTP/1.1 200 OK\r\n"
            + "Location: http://192.0.2.10:40427/cc3fbc5a-a2d3-4d5a-9b3b-77e0c5f7a001.xml\r\n"
            + "Ext:\r\n"
            + "USN: uuid:cc3fbc5a-a2d3-4d5a-9b3b-77e0c5f7a001::urn:schemas-upnp-org:service:SwitchPower:1\r\n"
            + "Server: Linux/6.1 UPnP/1.0 GUPnP/1.6.3\r\n"
            + "Cache-Control: max-age=1800\r\n"
            + "ST: urn:schemas-upnp-org:service:SwitchPower:1\r\n"
            + "Date: Tue, 01 Dec 2026 08:00:00 GMT\r\n"
            + "Content-Length: 0\r\n"
            + "\r\n";

    static final String BYEBYE = "NOTIFY * HTTP/1.1\r\n"
            + "HOST: 239.255.255.250:1900\r\n"
            + "NT: urn:schemas-upnp-org:device:MediaServer:1\r\n"
            + "NTS: ssdp:byebye\r\n"
            + "USN: uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d::urn:schemas-upnp-org:device:MediaServer:1\r\n"
            + "\r\n";

    private static SsdpParser.Result parse(String packet) {
        return parse(packet, SENDER);
    }

    private static SsdpParser.Result parse(String packet, InetAddress from) {
        byte[] bytes = packet.getBytes(StandardCharsets.ISO_8859_1);
        return SsdpParser.parse(bytes, bytes.length, from);
    }

    private static SsdpMessage accepted(String packet) {
        SsdpParser.Result result = parse(packet);
        return assertInstanceOf(SsdpParser.Accepted.class, result, result.toString()).message();
    }

    private static DropReason dropped(String packet) {
        SsdpParser.Result result = parse(packet);
        return assertInstanceOf(SsdpParser.Dropped.class, result, result.toString()).reason();
    }

    @Test
    void anAliveIsReadWithEverythingTheRegistryNeeds() {
        SsdpMessage alive = accepted(MINIDLNA_ALIVE);

        assertEquals(SsdpMessage.Kind.ALIVE, alive.kind());
        assertEquals("uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d::urn:schemas-upnp-org:device:MediaServer:1", alive.usn());
        assertEquals("uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d", alive.udn());
        assertEquals("urn:schemas-upnp-org:device:MediaServer:1", alive.target());
        assertEquals("http://192.0.2.10:8200/rootDesc.xml", alive.location().orElseThrow().toString());
        assertEquals("Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.3", alive.server());
        assertEquals(Duration.ofSeconds(1810), alive.maxAge());
        assertFalse(alive.maxAgeDefaulted());
        assertEquals(1700000000L, alive.bootId().orElseThrow());
        assertEquals(1337L, alive.configId().orElseThrow());
        assertEquals(SENDER, alive.source());
    }

    @Test
    void anAnswerToASearchAndAByebyeAreRead() {
        SsdpMessage answer = accepted(GSSDP_RESPONSE);
        assertEquals(SsdpMessage.Kind.SEARCH_RESPONSE, answer.kind());
        assertEquals("urn:schemas-upnp-org:service:SwitchPower:1", answer.target(), "the ST, headers in any case");
        assertEquals(40427, answer.location().orElseThrow().getPort());

        SsdpMessage bye = accepted(BYEBYE);
        assertEquals(SsdpMessage.Kind.BYEBYE, bye.kind());
        assertTrue(bye.location().isEmpty(), "a byebye needs no LOCATION");
        assertEquals("uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d", bye.udn());
    }

    @Test
    void bareLineFeedsAndAMissingFinalEmptyLineAreTaken() {
        SsdpMessage alive = accepted(MINIDLNA_ALIVE.replace("\r\n", "\n").replace("\n\n", "\n"));
        assertEquals(SsdpMessage.Kind.ALIVE, alive.kind());
    }

    @Test
    void aMissingOrUnreadableMaxAgeIsTheDefaultAndFlagged() {
        for (String cacheControl : new String[] {"CACHE-CONTROL:max-age=soon\r\n", "CACHE-CONTROL:max-age=-5\r\n",
            "CACHE-CONTROL:no-cache\r\n", "CACHE-CONTROL:max-age=99999999999999999999\r\n", ""}) {
            SsdpMessage alive = accepted(MINIDLNA_ALIVE.replace("CACHE-CONTROL:max-age=1810\r\n", cacheControl));
            assertEquals(SsdpParser.DEFAULT_MAX_AGE, alive.maxAge(), cacheControl);
            assertTrue(alive.maxAgeDefaulted(), cacheControl);
        }
        assertEquals(Duration.ofSeconds(2), accepted(MINIDLNA_ALIVE.replace("max-age=1810", "no-cache, max-age = 2")).maxAge());
        assertEquals(SsdpParser.LONGEST_MAX_AGE, accepted(MINIDLNA_ALIVE.replace("max-age=1810", "max-age=999999999")).maxAge());
    }

    @Test
    void aLocationMustBePlainHttpOnTheSendersOwnAddress() {
        String location = "LOCATION:http://192.0.2.10:8200/rootDesc.xml";
        assertEquals(DropReason.FOREIGN_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://192.0.2.99:8200/x.xml")));
        assertEquals(DropReason.FOREIGN_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://169.254.169.254/latest/meta-data")));
        assertEquals(DropReason.FOREIGN_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://localhost:8200/x.xml")));
        assertEquals(DropReason.FOREIGN_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://media.example:8200/x.xml")));
        assertEquals(DropReason.BAD_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:https://192.0.2.10/x.xml")));
        assertEquals(DropReason.BAD_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:file:///etc/passwd")));
        assertEquals(DropReason.BAD_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://u:p@192.0.2.10/x.xml")));
        assertEquals(DropReason.BAD_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://192.0.2.10:99999/x.xml")));
        assertEquals(DropReason.BAD_LOCATION, dropped(MINIDLNA_ALIVE.replace(location, "LOCATION:http://192.0.2.10/a b")));
        assertEquals(DropReason.MISSING_LOCATION, dropped(MINIDLNA_ALIVE.replace(location + "\r\n", "")));

        InetAddress v6 = InetAddress.ofLiteral("2001:db8::10");
        SsdpParser.Result ok = parse(MINIDLNA_ALIVE.replace(location, "LOCATION:http://[2001:db8::10]:8200/d.xml"), v6);
        assertInstanceOf(SsdpParser.Accepted.class, ok, ok.toString());
    }

    @Test
    void aUsnMustBeTheOneItsTargetHas() {
        String usn = "USN:uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d::urn:schemas-upnp-org:device:MediaServer:1";
        assertEquals(DropReason.USN_MISMATCH, dropped(MINIDLNA_ALIVE.replace(usn,
                "USN:uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d::urn:schemas-upnp-org:device:Other:1")));
        assertEquals(DropReason.USN_MISMATCH, dropped(MINIDLNA_ALIVE.replace(usn, "USN:uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d")));
        assertEquals(DropReason.USN_MISMATCH, dropped(BYEBYE.replace("::urn:schemas-upnp-org:device:MediaServer:1", "::upnp:rootdevice")));
        for (String wrong : new String[] {"USN:::urn:schemas-upnp-org:device:MediaServer:1", "USN:foo::urn:schemas-upnp-org:device:MediaServer:1",
            "USN:uuid:::urn:schemas-upnp-org:device:MediaServer:1", "USN:UUID:4d69::urn:schemas-upnp-org:device:MediaServer:1",
            "USN:uuid:4d69::URN:SCHEMAS-UPNP-ORG:DEVICE:MEDIASERVER:1", "USN:uuid:4d69::::urn:schemas-upnp-org:device:MediaServer:1"}) {
            assertEquals(DropReason.USN_MISMATCH, dropped(MINIDLNA_ALIVE.replace(usn, wrong)), wrong);
        }
        assertEquals(DropReason.USN_MISMATCH, dropped(MINIDLNA_ALIVE.replace("NT:urn:schemas-upnp-org:device:MediaServer:1",
                "NT:uuid:4d69").replace(usn, "USN:uuid:4d69::uuid:4d69")), "a uuid NT has the uuid alone as its USN");
        // the device's own uuid as NT, and upnp:rootdevice, as UDA has them
        String device = "uuid:4d696e69-444c-164e-9d41-b827eb2d6e1d";
        assertEquals(device, accepted(MINIDLNA_ALIVE.replace("NT:urn:schemas-upnp-org:device:MediaServer:1", "NT:" + device)
                .replace(usn, "USN:" + device)).usn());
        assertEquals(device + "::upnp:rootdevice", accepted(MINIDLNA_ALIVE.replace("NT:urn:schemas-upnp-org:device:MediaServer:1",
                "NT:upnp:rootdevice").replace(usn, "USN:" + device + "::upnp:rootdevice")).usn());
    }

    @Test
    void anUpdateGivesTheBootIdTheDeviceHasFromNowOn() {
        String update = MINIDLNA_ALIVE.replace("NTS:ssdp:alive", "NTS:ssdp:update")
                .replace("BOOTID.UPNP.ORG: 1700000000\r\n", "BOOTID.UPNP.ORG: 1700000000\r\nNEXTBOOTID.UPNP.ORG: 1700000001\r\n");
        assertEquals(java.util.OptionalLong.of(1700000001), accepted(update).bootId());
        assertEquals(java.util.OptionalLong.of(1700000000), accepted(MINIDLNA_ALIVE.replace("BOOTID.UPNP.ORG: 1700000000\r\n",
                "BOOTID.UPNP.ORG: 1700000000\r\nNEXTBOOTID.UPNP.ORG: 1700000001\r\n")).bootId(), "an alive's NEXTBOOTID is no news");
        assertEquals(java.util.OptionalLong.empty(), accepted(update.replace("BOOTID.UPNP.ORG: 1700000000\r\nNEXT", "NEXT")).bootId(),
                "NEXTBOOTID without its BOOTID: not taken");
    }

    @Test
    void requiredHeadersMissingOrRepeatedDropThePacket() {
        assertEquals(DropReason.MISSING_USN, dropped(MINIDLNA_ALIVE.replaceAll("USN:[^\r]*\r\n", "")));
        assertEquals(DropReason.MISSING_TARGET, dropped(MINIDLNA_ALIVE.replaceAll("\nNT:[^\r]*\r\n", "\n")));
        assertEquals(DropReason.MISSING_TARGET, dropped(GSSDP_RESPONSE.replaceAll("ST:[^\r]*\r\n", "")));
        assertEquals(DropReason.MISSING_NTS, dropped(MINIDLNA_ALIVE.replace("NTS:ssdp:alive\r\n", "")));
        assertEquals(DropReason.UNKNOWN_NTS, dropped(MINIDLNA_ALIVE.replace("ssdp:alive", "ssdp:discover")));
        assertEquals(DropReason.DUPLICATE_HEADER, dropped(MINIDLNA_ALIVE.replace("NTS:ssdp:alive\r\n",
                "NTS:ssdp:alive\r\nUSN:uuid:someone-else::urn:x\r\n")));
        assertEquals(DropReason.DUPLICATE_HEADER, dropped(MINIDLNA_ALIVE.replace("NTS:ssdp:alive\r\n",
                "NTS:ssdp:alive\r\nlocation:http://192.0.2.10/other.xml\r\n")), "names compare without case");
        assertEquals(DropReason.BAD_USN, dropped(MINIDLNA_ALIVE.replace("USN:uuid:4d69", "USN:uuid: 4d69")));
    }

    @Test
    void injectionFoldingAndNoiseAreRefusedByReason() {
        assertEquals(DropReason.BAD_HEADER, dropped(MINIDLNA_ALIVE.replace("NTS:ssdp:alive\r\n",
                "NTS:ssdp:alive\rLOCATION:http://192.0.2.10/evil.xml\r\n")), "a bare CR");
        assertEquals(DropReason.BAD_HEADER, dropped(MINIDLNA_ALIVE.replace("NTS:ssdp:alive\r\n", "NTS:ssdp:alive\r\n  folded\r\n")));
        assertEquals(DropReason.BAD_HEADER, dropped(MINIDLNA_ALIVE.replace("01-NLS: 1", "no colon here")));
        assertEquals(DropReason.BAD_HEADER, dropped(MINIDLNA_ALIVE.replace("01-NLS: 1", "Bad Name: 1")));
        assertEquals(DropReason.BAD_HEADER, dropped(MINIDLNA_ALIVE.replace("01-NLS: 1", "X-LONG: " + "a".repeat(2000))));
        assertEquals(DropReason.TOO_MANY_HEADERS, dropped(MINIDLNA_ALIVE.replace("01-NLS: 1\r\n", "X-A: 1\r\n".repeat(50))));
        assertEquals(DropReason.NOT_TEXT, dropped(MINIDLNA_ALIVE.replace("01-NLS: 1", "01-NLS: \u0000")));
        assertEquals(DropReason.TOO_LARGE, dropped(MINIDLNA_ALIVE + "X".repeat(64 * 1024)));
        assertEquals(DropReason.BAD_START_LINE, dropped("GET / HTTP/1.1\r\n\r\n"));
        assertEquals(DropReason.BAD_START_LINE, dropped("HTTP/1.1 404 Not Found\r\n\r\n"));
        assertEquals(DropReason.BAD_START_LINE, dropped(""));
        assertEquals(DropReason.SEARCH_REQUEST, dropped("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                + "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"));
    }

    @Test
    void aServerStringInUtf8IsShownAsSentWithoutControlCharacters() {
        assertEquals("Küche TV UPnP/1.0", serverAsParsed("Küche\tTV UPnP/1.0"));
    }

    @Test
    void bidiFormatAndSeparatorCharactersInTheServerStringBecomeSpaces() {
        assertEquals("evil  box x y \uD83D\uDE00",
                serverAsParsed("\u202eevil\u200f box\u2028x\u0085y \uD83D\uDE00"));
    }

    /** The SERVER string the parser keeps of MiniDLNA's alive with {@code server} (sent in UTF-8) as its SERVER. */
    private static String serverAsParsed(String server) {
        byte[] bytes = MINIDLNA_ALIVE.replace("SERVER: Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.3", "SERVER: " + server)
                .getBytes(StandardCharsets.UTF_8);
        SsdpParser.Result result = SsdpParser.parse(bytes, bytes.length, SENDER);
        return assertInstanceOf(SsdpParser.Accepted.class, result).message().server();
    }

    @Test
    void noPrefixOfARealPacketAndNoRandomBytesMakeItThrow() {
        for (String packet : new String[] {MINIDLNA_ALIVE, GSSDP_RESPONSE, BYEBYE}) {
            byte[] bytes = packet.getBytes(StandardCharsets.ISO_8859_1);
            for (int cut = 0; cut <= bytes.length; cut++) {
                SsdpParser.parse(bytes, cut, SENDER); // every truncation: a result, never an exception
            }
        }
        Random random = new Random(20261201);
        byte[] noise = new byte[2048];
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] base = (i % 2 == 0 ? MINIDLNA_ALIVE : GSSDP_RESPONSE).getBytes(StandardCharsets.ISO_8859_1);
            int length = Math.min(base.length, noise.length);
            System.arraycopy(base, 0, noise, 0, length);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                noise[random.nextInt(length)] = (byte) random.nextInt(256);
            }
            if (SsdpParser.parse(noise, random.nextInt(length + 1), SENDER) instanceof SsdpParser.Accepted a) {
                accepted++;
                assertEquals(SENDER, InetAddress.ofLiteral(a.message().location().map(u -> u.getHost()).orElse("192.0.2.10")),
                        "whatever is accepted still points at the sender");
            }
        }
        assertTrue(accepted < 20_000, "the noise is noticed");
    }
}
