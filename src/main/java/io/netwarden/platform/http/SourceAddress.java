package io.netwarden.platform.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The key a client is counted under by the per-source limits: an IPv4 address, or the /64 network of an IPv6 address
 * (one host usually holds a whole /64, so counting single IPv6 addresses would let it count as billions of clients).
 */
public final class SourceAddress {

    private SourceAddress() {
    }

    public static String of(InetAddress address) {
        if (address == null) {
            return "unknown";
        }
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            try {
                return InetAddress.getByAddress(Arrays.copyOf(Arrays.copyOf(raw, 8), 16)).getHostAddress() + "/64";
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address.getHostAddress();
    }

    public static String of(SocketAddress address) {
        return of(address instanceof InetSocketAddress inet ? inet.getAddress() : null);
    }
}
