package io.netwarden.registry.description;

import io.netwarden.registry.ssdp.DropReason;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Descriptions for logic tests, without any network: every location describes a device named after its host and port,
 * unless the test made it fail. Records each fetch. Thread-safe.
 */
public final class FakeDescriptionSource implements DescriptionSource {

    public final List<URI> fetched = new CopyOnWriteArrayList<>();
    private final Map<URI, DropReason> failing = new ConcurrentHashMap<>();

    public void fail(URI location, DropReason reason) {
        failing.put(location, reason);
    }

    public void recover(URI location) {
        failing.remove(location);
    }

    @Override
    public byte[] fetch(URI location, InetAddress address) throws DescriptionException {
        fetched.add(location);
        DropReason reason = failing.get(location);
        if (reason != null) {
            throw new DescriptionException(reason, "made to fail by the test");
        }
        return description("Box at " + location.getHost() + ":" + location.getPort(), "uuid:fake").getBytes(StandardCharsets.UTF_8);
    }

    /** A small, valid device description. */
    public static String description(String friendlyName, String udn) {
        return "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major>"
                + "<minor>0</minor></specVersion><device><deviceType>urn:netwarden-test:device:Box:1</deviceType>"
                + "<friendlyName>" + friendlyName + "</friendlyName><manufacturer>Netwarden tests</manufacturer>"
                + "<modelName>Box</modelName><modelNumber>1</modelNumber><UDN>" + udn + "</UDN><serviceList><service>"
                + "<serviceType>urn:schemas-upnp-org:service:Dimming:1</serviceType><serviceId>urn:upnp-org:serviceId:Dim"
                + "</serviceId><controlURL>/ctl/dim</controlURL></service></serviceList></device></root>";
    }
}
