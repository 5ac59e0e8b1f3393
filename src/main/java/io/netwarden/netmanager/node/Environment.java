package io.netwarden.netmanager.node;

import io.netwarden.netmanager.NetmanagerError;
import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.linux.LinuxNet;
import io.netwarden.netmanager.linux.LinuxNetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * One node's container network (the seed's environment manager): a bridge holding the node's subnet, and per deployed
 * instance a namespace joined to it.
 *
 * <pre>
 *   start ─▶ leftovers of this prefix removed (links, nft table, namespaces it created) ─▶ forwarding on
 *         ─▶ bridge &lt;prefix&gt;br0 = subnet .1 ─▶ nft table &lt;prefix&gt;_nat: masquerade of the subnet, a guard
 *            against its addresses from elsewhere, and no forwarding into the bridge but from it, the tunnel, answers
 *            and mappings
 *   deploy(service, instance, pid │ netns, mappings) ─ checked (name, duplicate, tunnel port, host ports, process)
 *         ─▶ named netns missing? created (and remembered as ours) ─▶ lowest free address .2-.254
 *         ─▶ veth &lt;prefix&gt;v&lt;6 hex&gt; on the bridge ══ &lt;prefix&gt;p&lt;6 hex&gt; in the namespace: address, up, default route
 *         ─▶ nft table rebuilt (DNAT host port → instance port) ─▶ nsAddress
 *         any step fails ─▶ what it made is removed, the address freed, 500 network_failed with the command's answer
 *   undeploy ─▶ veth deleted (both ends), our namespace deleted, address freed, nft table rebuilt
 *   close ─▶ every instance undeployed, bridge and table deleted
 * </pre>
 *
 * Everything it creates carries the prefix, except namespaces named by a deploy: those it created are listed in
 * {@code <state dir>/created-netns}, so that a start after a crash removes them too. Thread safety: every public
 * method is synchronized (deploys are serialised, as the kernel state they change belongs together).
 */
public final class Environment implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Environment.class);
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final String CREATED_NETNS = "created-netns";

    /**
     * @param prefix starts every name it creates (1-5 lower-case letters or digits)
     * @param subnet the node's bridge subnet (a /24 from the cluster, or the standalone 10.19.1.0/24)
     * @param stateDir where it remembers the namespaces it created
     */
    public record Settings(String prefix, Ipv4Net subnet, int mtu, int tunnelPort, Path stateDir) {
        public Settings {
            if (!prefix.matches("[a-z0-9]{1,5}")) {
                throw new IllegalArgumentException("the name prefix is 1-5 lower-case letters or digits, got '" + prefix + "'");
            }
            if (subnet.prefix() > 30) {
                throw new IllegalArgumentException("the bridge subnet " + subnet + " has no room for instances");
            }
            if (mtu < 576 || mtu > 9000) {
                throw new IllegalArgumentException("the MTU is 576-9000");
            }
        }

        public String bridge() {
            return prefix + "br0";
        }

        public String natTable() {
            return prefix + "_nat";
        }

        /** The tunnel's TUN device. */
        public String tunnel() {
            return prefix + "tun0";
        }
    }

    /** A deployed instance as the API shows it. */
    public record Instance(String serviceName, int instanceNumber, String nsAddress, String netns, Integer pid,
            List<String> portMappings, String hostLink, Instant deployedAt) {
    }

    private record Key(String serviceName, int instanceNumber) {
    }

    /** @param namespaceId the kernel's id of the instance's namespace ({@code net:[…]}) */
    private record Deployed(Instance view, int address, String hostEnd, boolean ownNetns, List<PortMapping> mappings,
            String namespaceId) {
    }

    private final LinuxNet net;
    private final Settings settings;
    private final Map<Key, Deployed> instances = new LinkedHashMap<>();
    private final Set<Integer> used = new TreeSet<>();
    private final Set<String> createdNetns = new LinkedHashSet<>();
    private long links;
    private boolean closed;

    private Environment(LinuxNet net, Settings settings) {
        this.net = net;
        this.settings = settings;
    }

    /** Removes leftovers of an earlier run of this prefix, then makes the bridge. */
    public static Environment start(LinuxNet net, Settings settings) {
        removeLeftovers(net, settings);
        net.enableForwarding();
        Environment environment = new Environment(net, settings);
        String gateway = Ipv4Net.format(settings.subnet().host(1)) + "/" + settings.subnet().prefix();
        net.addBridge(settings.bridge(), gateway, settings.mtu());
        try {
            environment.applyNat();
        } catch (LinuxNetException e) {
            net.deleteLink(settings.bridge());
            throw e;
        }
        LOG.infof("netmanager: bridge %s is %s (subnet %s, MTU %d)", settings.bridge(), gateway, settings.subnet(),
                settings.mtu());
        return environment;
    }

    /** Deletes links, the nft table and namespaces of an earlier run with this prefix (after a crash). */
    public static void removeLeftovers(LinuxNet net, Settings settings) {
        Pattern ours = Pattern.compile(Pattern.quote(settings.prefix()) + "(br0|tun0|v[0-9a-f]{6})");
        List<String> removed = new ArrayList<>();
        for (String link : net.links()) {
            if (ours.matcher(link).matches()) {
                net.deleteLink(link);
                removed.add(link);
            }
        }
        if (net.natTables().contains(settings.natTable())) {
            net.deleteNatTable(settings.natTable());
            removed.add("nft table " + settings.natTable());
        }
        Path list = settings.stateDir().resolve(CREATED_NETNS);
        for (String netns : readCreated(list)) {
            if (net.namespaces().contains(netns)) {
                net.deleteNetns(netns);
                removed.add("netns " + netns);
            }
        }
        writeCreated(list, Set.of());
        if (!removed.isEmpty()) {
            LOG.warnf("netmanager: removed what an earlier run left behind: %s", removed);
        }
    }

    public Settings settings() {
        return settings;
    }

    public String gateway() {
        return Ipv4Net.format(settings.subnet().host(1));
    }

    /**
     * Deploys an instance into a named namespace ({@code netns}, created when missing) or a process' one ({@code pid});
     * returns it with its address.
     */
    public synchronized Instance deploy(String serviceName, int instanceNumber, Optional<String> netns, Optional<Integer> pid,
            String portMappings) {
        requireOpen();
        ServiceNames.require(serviceName);
        if (instanceNumber < 0 || instanceNumber > 1_000_000) {
            throw NetmanagerError.INVALID_REQUEST.exception("instanceNumber is 0-1000000");
        }
        if (netns.isPresent() == pid.isPresent()) {
            throw NetmanagerError.INVALID_REQUEST.exception("give either pid (the instance's process) or netns (a named"
                    + " network namespace, created when missing)");
        }
        List<PortMapping> mappings = PortMapping.parseAll(portMappings, settings.tunnelPort());
        Key key = new Key(serviceName, instanceNumber);
        if (instances.containsKey(key)) {
            throw NetmanagerError.INSTANCE_EXISTS.exception("instance " + instanceNumber + " of " + serviceName
                    + " is deployed here already (" + instances.get(key).view().nsAddress() + ")");
        }
        for (PortMapping mapping : mappings) {
            for (Deployed other : instances.values()) {
                if (other.mappings().stream().anyMatch(m -> m.hostPort() == mapping.hostPort()
                        && m.protocol() == mapping.protocol())) {
                    throw NetmanagerError.PORT_TAKEN.exception("host port " + mapping.hostPort() + "/" + mapping.protocol()
                            + " is mapped to " + other.view().serviceName() + " instance " + other.view().instanceNumber());
                }
            }
        }
        LinuxNet.Target target;
        if (pid.isPresent()) {
            Optional<String> namespace = net.namespaceOf(pid.get());
            if (namespace.isEmpty()) {
                throw NetmanagerError.NO_SUCH_PROCESS.exception("no process " + pid.get() + " whose network namespace"
                        + " can be entered");
            }
            if (net.hostNamespaces().contains(namespace.get())) {
                throw NetmanagerError.NO_SUCH_PROCESS.exception("process " + pid.get() + " runs in the host's network"
                        + " namespace: an instance needs a namespace of its own");
            }
            if (instances.values().stream().anyMatch(d -> namespace.get().equals(d.namespaceId()))) {
                throw NetmanagerError.INSTANCE_EXISTS.exception("the namespace of process " + pid.get()
                        + " holds another instance");
            }
            target = LinuxNet.Target.process(pid.get());
        } else {
            if (!NETNS.matcher(netns.get()).matches()) {
                throw NetmanagerError.INVALID_REQUEST.exception("netns is 1-64 letters, digits, '_', '.' or '-',"
                        + " starting with a letter or digit");
            }
            if (instances.values().stream().anyMatch(d -> netns.get().equals(d.view().netns()))) {
                throw NetmanagerError.INSTANCE_EXISTS.exception("namespace " + netns.get() + " holds another instance");
            }
            Optional<String> existing = net.namespaceNamed(netns.get());
            if (existing.isPresent() && net.hostNamespaces().contains(existing.get())) {
                throw NetmanagerError.INVALID_REQUEST.exception("namespace " + netns.get() + " is the host's own: an"
                        + " instance needs a namespace of its own");
            }
            if (existing.isPresent() && instances.values().stream().anyMatch(d -> existing.get().equals(d.namespaceId()))) {
                throw NetmanagerError.INSTANCE_EXISTS.exception("namespace " + netns.get() + " holds another instance");
            }
            target = LinuxNet.Target.named(netns.get());
        }
        int address = freeAddress();
        String id = linkId(serviceName, instanceNumber);
        String hostEnd = settings.prefix() + "v" + id;
        String instanceEnd = settings.prefix() + "p" + id;
        boolean ownNetns = false;
        try {
            if (!target.isProcess() && !net.namespaces().contains(target.netns())) {
                net.addNetns(target.netns());
                ownNetns = true;
                createdNetns.add(target.netns());
                writeCreated(settings.stateDir().resolve(CREATED_NETNS), createdNetns);
            }
            net.addInstanceLink(hostEnd, instanceEnd, settings.bridge(), target, Ipv4Net.format(address) + "/"
                    + settings.subnet().prefix(), gateway(), settings.mtu());
            used.add(address);
            Instance view = new Instance(serviceName, instanceNumber, Ipv4Net.format(address), target.netns(),
                    target.isProcess() ? target.pid() : null, mappings.stream().map(PortMapping::toString).toList(), hostEnd,
                    Instant.now());
            instances.put(key, new Deployed(view, address, hostEnd, ownNetns, mappings, target.isProcess()
                    ? net.namespaceOf(target.pid()).orElse(null) : net.namespaceNamed(target.netns()).orElse(null)));
            try {
                applyNat();
            } catch (LinuxNetException e) {
                instances.remove(key);
                used.remove(address);
                applyNatQuietly();
                net.deleteLink(hostEnd);
                throw e;
            }
            LOG.infof("netmanager: %s instance %d deployed at %s in %s%s", serviceName, instanceNumber, view.nsAddress(),
                    target, mappings.isEmpty() ? "" : ", ports " + view.portMappings());
            return view;
        } catch (LinuxNetException e) {
            if (ownNetns) {
                forgetNetns(target.netns());
            }
            LOG.warnf("netmanager: %s instance %d not deployed: %s", serviceName, instanceNumber, e.getMessage());
            throw NetmanagerError.NETWORK_FAILED.exception("the instance could not be joined to the network: "
                    + e.getMessage());
        }
    }

    /** Removes an instance's link, its namespace when this node made it, and its port mappings. */
    public synchronized Instance undeploy(String serviceName, int instanceNumber) {
        requireOpen();
        ServiceNames.require(serviceName);
        Deployed deployed = instances.get(new Key(serviceName, instanceNumber));
        if (deployed == null) {
            throw NetmanagerError.UNKNOWN_INSTANCE.exception("no instance " + instanceNumber + " of " + serviceName
                    + " on this node");
        }
        remove(deployed);
        return deployed.view();
    }

    private void remove(Deployed deployed) {
        instances.remove(new Key(deployed.view().serviceName(), deployed.view().instanceNumber()));
        applyNatQuietly();
        List<String> failures = new ArrayList<>();
        try {
            net.deleteLink(deployed.hostEnd());
        } catch (LinuxNetException e) {
            failures.add(e.getMessage());
        }
        if (deployed.ownNetns()) {
            try {
                forgetNetns(deployed.view().netns());
            } catch (LinuxNetException e) {
                failures.add(e.getMessage());
            }
        }
        used.remove(deployed.address());
        if (!failures.isEmpty()) {
            LOG.warnf("netmanager: %s instance %d undeployed, but: %s", deployed.view().serviceName(),
                    deployed.view().instanceNumber(), failures);
        } else {
            LOG.infof("netmanager: %s instance %d undeployed (%s freed)", deployed.view().serviceName(),
                    deployed.view().instanceNumber(), deployed.view().nsAddress());
        }
    }

    private void forgetNetns(String netns) {
        net.deleteNetns(netns);
        createdNetns.remove(netns);
        writeCreated(settings.stateDir().resolve(CREATED_NETNS), createdNetns);
    }

    public synchronized List<Instance> instances() {
        return instances.values().stream().map(Deployed::view).toList();
    }

    /** Undeploys everything, then removes the bridge and the nft table. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (Deployed deployed : List.copyOf(instances.values())) {
            remove(deployed);
        }
        closed = true;
        try {
            net.deleteNatTable(settings.natTable());
            net.deleteLink(settings.bridge());
            LOG.infof("netmanager: bridge %s removed", settings.bridge());
        } catch (LinuxNetException e) {
            LOG.warnf("netmanager: the bridge was not removed cleanly (the next start removes it): %s", e.getMessage());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw NetmanagerError.NOT_REGISTERED.exception("the node's network is stopped");
        }
    }

    private int freeAddress() {
        long size = 1L << (32 - settings.subnet().prefix());
        for (long offset = 2; offset < size - 1; offset++) { // .0 the network, .1 the bridge, the last the broadcast
            int candidate = settings.subnet().host(offset);
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
        throw NetmanagerError.SUBNET_FULL.exception("every address of " + settings.subnet() + " is in use ("
                + instances.size() + " instances)");
    }

    /** Six hex digits unique among this node's links: from the instance, and a counter so that a redeploy differs. */
    private String linkId(String serviceName, int instanceNumber) {
        while (true) {
            byte[] digest;
            try {
                digest = java.security.MessageDigest.getInstance("SHA-256").digest((serviceName + "#" + instanceNumber
                        + "#" + links++).getBytes(StandardCharsets.UTF_8));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            String id = HexFormat.of().formatHex(digest, 0, 3);
            String hostEnd = settings.prefix() + "v" + id;
            if (instances.values().stream().noneMatch(d -> d.hostEnd().equals(hostEnd))) {
                return id;
            }
        }
    }

    /**
     * The nft table from the instances: DNAT of each mapping (from outside and from the host), masquerade out, instance
     * addresses accepted only from the bridge, and forwarding into the bridge only from the bridge, the tunnel, answers
     * and mappings.
     */
    private void applyNat() {
        StringBuilder pre = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (Deployed deployed : instances.values()) {
            for (PortMapping m : deployed.mappings()) {
                String rule = m.protocol() + " dport " + m.hostPort() + " dnat to " + Ipv4Net.format(deployed.address()) + ":"
                        + m.instancePort();
                pre.append("    fib daddr type local ").append(rule).append('\n'); // not traffic passing through
                out.append("    fib daddr type local ").append(rule).append('\n');
            }
        }
        String body = "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n" + pre + "  }\n"
                + "  chain output {\n    type nat hook output priority -100; policy accept;\n" + out + "  }\n"
                + "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip saddr " + settings.subnet() + " oifname != \"" + settings.bridge() + "\" oifname != \""
                + settings.tunnel() + "\" masquerade\n  }\n"
                // an instance's address arrives only from the bridge: spoofed from elsewhere it is dropped
                + "  chain guard {\n    type filter hook prerouting priority -300; policy accept;\n"
                + "    iifname \"lo\" accept\n"
                + "    ip saddr " + settings.subnet() + " iifname != \"" + settings.bridge() + "\" drop\n  }\n"
                // into the bridge only from the bridge, the tunnel, answers, and the port mappings: the underlay does not
                // reach the instances past the tunnel (its encryption and its sender check)
                + "  chain forward {\n    type filter hook forward priority 0; policy accept;\n"
                + "    oifname \"" + settings.bridge() + "\" iifname \"" + settings.bridge() + "\" accept\n"
                + "    oifname \"" + settings.bridge() + "\" iifname \"" + settings.tunnel() + "\" accept\n"
                + "    oifname \"" + settings.bridge() + "\" ct state established,related accept\n"
                + "    oifname \"" + settings.bridge() + "\" ct status dnat accept\n"
                + "    oifname \"" + settings.bridge() + "\" drop\n  }\n";
        net.replaceNatTable(settings.natTable(), body);
    }

    private void applyNatQuietly() {
        try {
            applyNat();
        } catch (LinuxNetException e) {
            LOG.warnf("netmanager: the port mappings could not be updated: %s", e.getMessage());
        }
    }

    private static List<String> readCreated(Path list) {
        try {
            return Files.exists(list) ? Files.readAllLines(list, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> NETNS.matcher(l).matches()).toList() : List.of();
        } catch (IOException e) {
            LOG.warnf("netmanager: %s could not be read: %s", list, e.getMessage());
            return List.of();
        }
    }

    private static void writeCreated(Path list, Set<String> names) {
        try {
            Files.createDirectories(list.getParent());
            Path next = list.resolveSibling(list.getFileName() + ".next");
            Files.write(next, names, StandardCharsets.UTF_8);
            Files.move(next, list, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warnf("netmanager: %s could not be written (a crash would leave its namespaces): %s", list, e.getMessage());
        }
    }
}
