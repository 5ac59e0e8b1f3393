package io.netwarden.registry.description;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device description parser on real-shaped descriptions and on hostile ones. */
class DescriptionParserTest {

    /** As MiniDLNA and most media devices send it: a namespace, a root device with an embedded one. */
    private static final String EMBEDDED = """
            <?xml version="1.0" encoding="utf-8"?>
            <root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:dlna="urn:schemas-dlna-org:device-1-0">
              <specVersion><major>1</major><minor>0</minor></specVersion>
              <device>
                <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
                <friendlyName>Gateway &amp; Router</friendlyName>
                <manufacturer>AT&amp;T</manufacturer>
                <modelName>GW</modelName>
                <modelNumber>7</modelNumber>
                <UDN>uuid:11111111-2222-3333-4444-555555555555</UDN>
                <presentationURL>http://192.0.2.1/</presentationURL>
                <iconList><icon><mimetype>image/png</mimetype><url>/i.png</url></icon></iconList>
                <serviceList>
                  <service>
                    <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
                    <serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
                    <controlURL>/ctl/L3F</controlURL>
                  </service>
                </serviceList>
                <deviceList>
                  <device>
                    <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
                    <friendlyName><![CDATA[WAN <side>]]></friendlyName>
                    <UDN>uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</UDN>
                    <serviceList>
                      <service>
                        <serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
                        <serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>
                        <controlURL>/ctl/CmnIfCfg</controlURL>
                      </service>
                    </serviceList>
                  </device>
                </deviceList>
              </device>
            </root>
            """;

    private static DeviceDescription.Document parse(String xml) throws DescriptionParser.InvalidDescription {
        return DescriptionParser.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRootAndEmbeddedDevicesAreReadWithTheirOwnServices() throws Exception {
        DeviceDescription.Document document = parse(EMBEDDED);

        DeviceDescription root = document.device("uuid:11111111-2222-3333-4444-555555555555");
        assertEquals("Gateway & Router", root.friendlyName());
        assertEquals("AT&T", root.manufacturer());
        assertEquals("GW", root.modelName());
        assertEquals("7", root.modelNumber());
        assertEquals("http://192.0.2.1/", root.presentationUrl());
        assertEquals(List.of(new DeviceDescription.Service("urn:schemas-upnp-org:service:Layer3Forwarding:1",
                "urn:upnp-org:serviceId:L3Forwarding1", "/ctl/L3F")), root.services());

        DeviceDescription wan = document.device("uuid:AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee");
        assertEquals("WAN <side>", wan.friendlyName());
        assertEquals("urn:schemas-upnp-org:device:WANDevice:1", wan.deviceType());
        assertEquals("/ctl/CmnIfCfg", wan.services().getFirst().controlUrl());
        assertEquals(root, document.device("uuid:someone-else"), "an unknown UDN: the root device");
        assertEquals("AT&T", root.toMap().get("manufacturer"));
        assertEquals("uuid:11111111-2222-3333-4444-555555555555", root.toMap().get("UDN"));
    }

    @Test
    void longTextsAreCutAndControlCharactersBlanked() throws Exception {
        DeviceDescription device = parse("<root><device><friendlyName>a&#x9;b" + "x".repeat(10_000)
                + "</friendlyName><UDN>uuid:1</UDN></device></root>").devices().getFirst();
        assertEquals(DescriptionParser.MAX_TEXT, device.friendlyName().length());
        assertTrue(device.friendlyName().startsWith("a b"), device.friendlyName().substring(0, 5));
    }

    @Test
    void bidiAndZeroWidthCharactersInADeviceNameBecomeSpaces() throws Exception {
        DeviceDescription device = parse("<root><device><friendlyName>\u202eevil\u200b\u2028x\u0085y</friendlyName>"
                + "<UDN>uuid:1</UDN></device></root>").devices().getFirst();
        assertEquals("evil  x y", device.friendlyName());
    }

    @Test
    void anEntityBombIsRefusedWithoutExpandingAnything() {
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                + "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                + "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
                + "<!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
                + "<root><device><friendlyName>&lol9;</friendlyName></device></root>";
        DescriptionParser.InvalidDescription refused = assertThrows(DescriptionParser.InvalidDescription.class,
                () -> parse(bomb));
        assertTrue(refused.getMessage().contains("DOCTYPE"), refused.getMessage());
    }

    @Test
    void anExternalEntityIsNeverRead() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<root><device><friendlyName>&x;</friendlyName></device></root>";
        assertThrows(DescriptionParser.InvalidDescription.class, () -> parse(xxe));
        String undeclared = "<root><device><friendlyName>&x;</friendlyName></device></root>";
        assertThrows(DescriptionParser.InvalidDescription.class, () -> parse(undeclared));
    }

    @Test
    void whatIsNotADeviceDescriptionIsRefused() {
        for (String bad : List.of("", "not xml", "\u0000\u0001\u0002", "<html><body>hi</body></html>", "<root></root>",
                "<root><device><friendlyName>x</friendlyName>", "<root><device></root>",
                "<root>" + "<a>".repeat(5_000) + "</root>",
                "<root><device><serviceList>" + "<service><serviceType>t</serviceType></service>".repeat(200)
                        + "</serviceList></device></root>",
                "<root><x><device><friendlyName>hidden</friendlyName></device></x></root>")) {
            assertThrows(DescriptionParser.InvalidDescription.class, () -> parse(bad),
                    bad.length() > 60 ? bad.substring(0, 60) : bad);
        }
    }

    @Test
    void aDeviceElementOutsideTheDeviceTreeIsNotTakenForOne() throws Exception {
        DeviceDescription.Document document = parse("<root><device><friendlyName>real</friendlyName><UDN>uuid:r</UDN>"
                + "<extra><device><friendlyName>fake</friendlyName><UDN>uuid:f</UDN></device></extra></device></root>");
        assertEquals(1, document.devices().size());
        assertEquals("real", document.devices().getFirst().friendlyName());
    }
}
