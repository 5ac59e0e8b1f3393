package io.netwarden.netmanager.linux;

import java.util.List;

/**
 * The Linux networking the netmanager needs, and nothing more: a bridge, network namespaces, veth pairs into them,
 * addresses and routes inside, and one nftables table of its own for port mappings and masquerading. {@link IpCommands}
 * does it with {@code ip}, {@code nft} and {@code sysctl}; logic tests use a fake.
 *
 * Every call either does all it says or throws {@link LinuxNetException} naming the command and what it answered;
 * deletions of what is not there are not errors. Thread safety: implementations are thread-safe, but the kernel state
 * they change is shared: callers serialise changes that belong together.
 */
public interface LinuxNet {

    /** Creates bridge {@code name} with {@code address} ({@code 10.19.1.1/24}) and brings it up. */
    void addBridge(String name, String address, int mtu);

    /** Deletes a link (a veth's other end goes with it); nothing when it is not there. */
    void deleteLink(String name);

    /** The names of the links in the host namespace. */
    List<String> links();

    void addNetns(String name);

    /** Deletes a named namespace; nothing when it is not there. */
    void deleteNetns(String name);

    /** The named network namespaces. */
    List<String> namespaces();

    /**
     * The network namespace of a process ({@code net:[4026532281]}), when it exists and can be entered; empty when there
     * is no such process.
     */
    java.util.Optional<String> namespaceOf(int pid);

    /** The kernel's id of a named namespace ({@code net:[4026532281]}); empty when there is no such name. */
    java.util.Optional<String> namespaceNamed(String netns);

    /**
     * The namespaces no instance may be put into: the host's (where the bridge is), this process' own and the
     * machine's first one (pid 1's, when it can be read): a veth, an address and a default route there would rewire
     * the machine.
     */
    java.util.Set<String> hostNamespaces();

    /**
     * Creates a veth pair: {@code hostEnd} attached to {@code bridge} and up, {@code instanceEnd} moved into the
     * instance's namespace, given {@code address} ({@code 10.19.1.2/24}), up, with {@code lo} up and a default route via
     * {@code gateway}.
     */
    void addInstanceLink(String hostEnd, String instanceEnd, String bridge, Target instance, String address, String gateway,
            int mtu);

    /** Replaces the whole nftables table {@code table} (family ip) with {@code body} (its chains), in one transaction. */
    void replaceNatTable(String table, String body);

    /** Deletes the nftables table; nothing when it is not there. */
    void deleteNatTable(String table);

    /** The names of the nftables tables of family ip. */
    List<String> natTables();

    /**
     * The host's underlay address: the one of the default route's interface, or else the only global IPv4 address;
     * empty when neither is clear.
     */
    java.util.Optional<String> underlayAddress();

    /** Sets the tunnel's TUN device up with {@code mtu} and routes {@code route} ({@code 10.32.0.0/16}) into it. */
    void routeIntoTunnel(String device, int mtu, String route);

    /** Turns IPv4 forwarding on in the host namespace (the bridge's traffic and port mappings need it). */
    void enableForwarding();

    /** An instance's network namespace: a named one, or the one of a process. */
    record Target(String netns, int pid) {

        public static Target named(String netns) {
            return new Target(netns, 0);
        }

        public static Target process(int pid) {
            return new Target(null, pid);
        }

        public boolean isProcess() {
            return netns == null;
        }

        @Override
        public String toString() {
            return isProcess() ? "the namespace of process " + pid : "namespace " + netns;
        }
    }
}
