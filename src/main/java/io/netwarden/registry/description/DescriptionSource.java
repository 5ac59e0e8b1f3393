package io.netwarden.registry.description;

import java.net.InetAddress;
import java.net.URI;

/** Where a device description's bytes come from: the device's HTTP server, or a fake in logic tests. */
public interface DescriptionSource {

    /**
     * The body of a 200 answer to a GET of {@code location}, asked of {@code address} (the address the advertisement
     * came from, which the location's host names). Blocks at most the source's timeout.
     *
     * @throws DescriptionException unreachable, timed out, a redirect or another status, too large
     */
    byte[] fetch(URI location, InetAddress address) throws DescriptionException;
}
