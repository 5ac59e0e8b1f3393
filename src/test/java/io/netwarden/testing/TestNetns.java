package io.netwarden.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own, joined to the host by a veth pair: the host end {@code nwt<id>h} (x.y.z.2/24),
 * the namespace end {@code nwt<id>n} (x.y.z.1/24) with a multicast route, in namespace {@code nwtest-<id>}. Traffic
 * goes only between the two ends. Needs root. {@link #close} removes both (also what {@link #removeLeftovers} finds of
 * killed runs).
 *
 * <pre>
 *   host ── nwt&lt;id&gt;h 10.213.N.2 ══ veth ══ 10.213.N.1 nwt&lt;id&gt;n ── namespace nwtest-&lt;id&gt; (lo up)
 * </pre>
 */
public final class TestNetns implements AutoCloseable {

    private static final String PREFIX = "nwtest-";
    /** Namespaces made by this JVM and not closed yet: never taken for leftovers. */
    private static final java.util.Set<String> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final String name;
    private final String hostEnd;
    private final String nsEnd;
    private final String hostAddress;
    private final String nsAddress;

    private TestNetns(String id, int subnet) {
        this.name = PREFIX + id;
        this.hostEnd = "nwt" + id + "h";
        this.nsEnd = "nwt" + id + "n";
        this.hostAddress = "10.213." + subnet + ".2";
        this.nsAddress = "10.213." + subnet + ".1";
    }

    /** Marks a namespace another helper of this JVM made as live: {@link #removeLeftovers} leaves it. */
    public static void keep(String name) {
        LIVE.add(name);
    }

    /** Creates the namespace and the veth pair; fails with what {@code ip} said. */
    public static TestNetns create() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("network namespace tests need root (CI runs them as root)");
        }
        removeLeftovers();
        String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
        TestNetns netns = new TestNetns(id, 1 + ThreadLocalRandom.current().nextInt(250));
        try {
            LIVE.add(netns.name);
            ip("netns", "add", netns.name);
            ip("link", "add", netns.hostEnd, "type", "veth", "peer", "name", netns.nsEnd);
            ip("link", "set", netns.nsEnd, "netns", netns.name);
            ip("addr", "add", netns.hostAddress + "/24", "dev", netns.hostEnd);
            ip("link", "set", netns.hostEnd, "up");
            ip("-n", netns.name, "addr", "add", netns.nsAddress + "/24", "dev", netns.nsEnd);
            ip("-n", netns.name, "link", "set", netns.nsEnd, "up");
            ip("-n", netns.name, "link", "set", "lo", "up");
            ip("-n", netns.name, "route", "add", "224.0.0.0/4", "dev", netns.nsEnd);
            return netns;
        } catch (IOException | RuntimeException e) {
            netns.close();
            throw e;
        }
    }

    /**
     * Removes namespaces named {@code nwtest-…} (and so their veth ends) and host ends this helper made in runs that were
     * killed, and those tests made without this helper and left; never one of this JVM's that is still open.
     */
    public static void removeLeftovers() throws IOException, InterruptedException {
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String ns = line.strip().split(" ")[0];
            if (ns.startsWith(PREFIX) && !LIVE.contains(ns)) {
                run(List.of("ip", "netns", "del", ns));
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show")).split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String link = parts[1].split("@")[0];
                if (link.matches("nwt[0-9a-f]{6}h") && !LIVE.contains(PREFIX + link.substring(3, 9))) {
                    run(List.of("ip", "link", "del", link));
                }
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    /** {@code ip netns exec <name>} and {@code command}: a process that runs in the namespace. */
    public ProcessBuilder inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return new ProcessBuilder(full);
    }

    public String name() {
        return name;
    }

    /** The host end's interface name (what a registry on the host listens on). */
    public String hostEnd() {
        return hostEnd;
    }

    /** The namespace end's interface name (what an advertiser inside uses). */
    public String nsEnd() {
        return nsEnd;
    }

    public String hostAddress() {
        return hostAddress;
    }

    public String nsAddress() {
        return nsAddress;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        LIVE.remove(name);
        run(List.of("ip", "netns", "del", name));
        run(List.of("ip", "link", "del", hostEnd)); // gone with the namespace already, unless it never moved there
    }
}
