package io.netwarden.netmanager.node;

import io.netwarden.netmanager.NetmanagerError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A host port forwarded to an instance's port: {@code 8080:80/tcp}, or {@code 9000/udp} (the same port on both sides;
 * tcp when no protocol is given). Lists are separated by {@code ,} or, as Oakestra writes them, {@code ;}.
 */
public record PortMapping(int hostPort, int instancePort, Protocol protocol) {

    public enum Protocol {
        tcp, udp
    }

    /** At most this many mappings per instance. */
    public static final int MAX = 64;

    @Override
    public String toString() {
        return hostPort + ":" + instancePort + "/" + protocol;
    }

    /**
     * Reads a list; refuses malformed entries, ports outside 1-65535, a host port given twice, and the tunnel's port.
     */
    public static List<PortMapping> parseAll(String text, int tunnelPort) {
        List<PortMapping> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        if (text.length() > 2048) {
            throw NetmanagerError.INVALID_REQUEST.exception("portMappings is longer than 2048 characters");
        }
        Set<String> hostSide = new HashSet<>();
        for (String entry : text.split("[,;]", -1)) {
            String item = entry.strip();
            if (item.isEmpty()) {
                continue;
            }
            PortMapping mapping = parse(item);
            if (mapping.hostPort() == tunnelPort) {
                throw NetmanagerError.PORT_RESERVED.exception("port " + tunnelPort + " belongs to the tunnel; a service"
                        + " cannot be mapped on it (" + item + ")");
            }
            if (!hostSide.add(mapping.hostPort() + "/" + mapping.protocol())) {
                throw NetmanagerError.INVALID_REQUEST.exception("host port " + mapping.hostPort() + "/" + mapping.protocol()
                        + " is mapped twice");
            }
            out.add(mapping);
        }
        if (out.size() > MAX) {
            throw NetmanagerError.INVALID_REQUEST.exception("at most " + MAX + " port mappings per instance");
        }
        return out;
    }

    private static PortMapping parse(String item) {
        String ports = item;
        Protocol protocol = Protocol.tcp;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            ports = item.substring(0, slash);
            String name = item.substring(slash + 1);
            if (!name.equals("tcp") && !name.equals("udp")) {
                throw NetmanagerError.INVALID_REQUEST.exception("'" + shown(item) + "': the protocol is tcp or udp");
            }
            protocol = Protocol.valueOf(name);
        }
        String[] sides = ports.split(":", -1);
        if (sides.length > 2) {
            throw NetmanagerError.INVALID_REQUEST.exception("'" + shown(item) + "' is not hostPort:instancePort/protocol");
        }
        int host = port(sides[0], item);
        int instance = sides.length == 2 ? port(sides[1], item) : host;
        return new PortMapping(host, instance, protocol);
    }

    private static int port(String text, String item) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw NetmanagerError.INVALID_REQUEST.exception("'" + shown(item) + "' is not hostPort:instancePort/protocol");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw NetmanagerError.INVALID_REQUEST.exception("'" + shown(item) + "': ports are 1-65535");
        }
        return port;
    }

    private static String shown(String item) {
        String printable = item.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
