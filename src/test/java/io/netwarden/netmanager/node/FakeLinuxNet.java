package io.netwarden.netmanager.node;

import io.netwarden.netmanager.linux.LinuxNet;
import io.netwarden.netmanager.linux.LinuxNetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link LinuxNet} in memory, for logic tests: what exists, and a way to make one call fail. */
final class FakeLinuxNet implements LinuxNet {

    final Set<String> links = new LinkedHashSet<>();
    final Set<String> namespaces = new LinkedHashSet<>();
    /** pid → its namespace id. */
    final Map<Integer, String> processes = new LinkedHashMap<>(Map.of(1, "net:[1]"));
    final Set<String> hostNamespaces = new LinkedHashSet<>(Set.of("net:[1]"));
    final Map<String, String> tables = new LinkedHashMap<>();
    /** Instance links: host end → "address via gateway in target". */
    final Map<String, String> instanceLinks = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();
    boolean forwarding;
    /** A call whose name is here fails once. */
    final Set<String> failNext = new LinkedHashSet<>();

    private void call(String name) {
        calls.add(name);
        if (failNext.remove(name)) {
            throw new LinuxNetException(name + " failed (as the test asked)");
        }
    }

    @Override
    public synchronized void addBridge(String name, String address, int mtu) {
        call("addBridge");
        if (!links.add(name)) {
            throw new LinuxNetException("ip link add name " + name + " failed: File exists");
        }
    }

    @Override
    public synchronized void deleteLink(String name) {
        call("deleteLink");
        links.remove(name);
        instanceLinks.remove(name);
    }

    @Override
    public synchronized List<String> links() {
        return List.copyOf(links);
    }

    @Override
    public synchronized void addNetns(String name) {
        call("addNetns");
        namespaces.add(name);
    }

    @Override
    public synchronized void deleteNetns(String name) {
        call("deleteNetns");
        namespaces.remove(name);
    }

    @Override
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public synchronized java.util.Optional<String> namespaceOf(int pid) {
        return java.util.Optional.ofNullable(processes.get(pid));
    }

    /** Named namespace → its id (those not here get one made from the name). */
    final Map<String, String> namedIds = new LinkedHashMap<>();

    @Override
    public synchronized java.util.Optional<String> namespaceNamed(String netns) {
        return namespaces.contains(netns) ? java.util.Optional.of(namedIds.getOrDefault(netns, "net:[" + netns + "]"))
                : java.util.Optional.empty();
    }

    @Override
    public synchronized Set<String> hostNamespaces() {
        return Set.copyOf(hostNamespaces);
    }

    @Override
    public synchronized void addInstanceLink(String hostEnd, String instanceEnd, String bridge, Target instance,
            String address, String gateway, int mtu) {
        call("addInstanceLink");
        if (!links.contains(bridge)) {
            throw new LinuxNetException("no bridge " + bridge);
        }
        links.add(hostEnd);
        instanceLinks.put(hostEnd, address + " via " + gateway + " in " + instance);
    }

    @Override
    public synchronized void replaceNatTable(String table, String body) {
        call("replaceNatTable");
        tables.put(table, body);
    }

    @Override
    public synchronized void deleteNatTable(String table) {
        call("deleteNatTable");
        tables.remove(table);
    }

    @Override
    public synchronized List<String> natTables() {
        return List.copyOf(tables.keySet());
    }

    /** What {@link #underlayAddress} answers. */
    java.util.Optional<String> underlay = java.util.Optional.of("192.0.2.10");

    @Override
    public synchronized java.util.Optional<String> underlayAddress() {
        return underlay;
    }

    @Override
    public synchronized void routeIntoTunnel(String device, int mtu, String route) {
        call("routeIntoTunnel");
    }

    @Override
    public synchronized void enableForwarding() {
        forwarding = true;
    }
}
