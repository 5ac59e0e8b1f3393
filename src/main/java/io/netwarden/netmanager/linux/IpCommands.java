package io.netwarden.netmanager.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * {@link LinuxNet} with iproute2's {@code ip}, {@code nft} and {@code sysctl} (what an operator would type, and
 * what they can read back with the same tools). With a host namespace given, every command runs inside it
 * ({@code ip netns exec <host> …}): the tests' "hosts" are namespaces.
 *
 * <pre>
 *   command ─▶ process (argument vector, no shell) ─ exit 0 within 10 s ─▶ its output
 *                                                   └ else ─▶ LinuxNetException: the command and what it printed
 * </pre>
 *
 * Thread safety: stateless; each call runs its own processes.
 */
public final class IpCommands implements LinuxNet {

    private static final Logger LOG = Logger.getLogger(IpCommands.class);
    private static final long TIMEOUT_SECONDS = 10;
    private static final int MAX_OUTPUT = 256 * 1024;

    private final Optional<String> hostNetns;

    /** @param hostNetns the namespace that is "the host" (tests); empty: the process' own */
    public IpCommands(Optional<String> hostNetns) {
        this.hostNetns = hostNetns;
    }

    @Override
    public void addBridge(String name, String address, int mtu) {
        run("ip", "link", "add", "name", name, "type", "bridge");
        try {
            run("ip", "link", "set", name, "mtu", Integer.toString(mtu));
            run("ip", "addr", "add", address, "dev", name);
            run("ip", "link", "set", name, "up");
        } catch (LinuxNetException e) {
            deleteLink(name);
            throw e;
        }
    }

    @Override
    public void deleteLink(String name) {
        if (links().contains(name)) {
            run("ip", "link", "del", name);
        }
    }

    @Override
    public List<String> links() {
        List<String> names = new ArrayList<>();
        for (String line : run("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3); // "7: nwv1a2b3c@if6: <BROADCAST,…"
            if (parts.length > 1) {
                names.add(parts[1].split("@")[0]);
            }
        }
        return names;
    }

    @Override
    public void addNetns(String name) {
        global("ip", "netns", "add", name);
        try {
            global("ip", "-n", name, "link", "set", "lo", "up");
        } catch (LinuxNetException e) {
            deleteNetns(name);
            throw e;
        }
    }

    @Override
    public void deleteNetns(String name) {
        if (namespaces().contains(name)) {
            global("ip", "netns", "del", name);
        }
    }

    @Override
    public List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : global("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }

    @Override
    public Optional<String> namespaceOf(int pid) {
        if (pid < 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> namespaceNamed(String netns) {
        try {
            return Optional.of("net:[" + Files.getAttribute(Path.of("/run/netns", netns), "unix:ino") + "]");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public java.util.Set<String> hostNamespaces() {
        java.util.Set<String> hosts = new java.util.HashSet<>();
        namespaceOf(1).ifPresent(hosts::add); // not readable in every container
        try {
            hosts.add(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString()); // the machine's, where this runs
            if (hostNetns.isPresent()) {
                Object inode = Files.getAttribute(Path.of("/run/netns", hostNetns.get()), "unix:ino");
                hosts.add("net:[" + inode + "]");
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new LinuxNetException("the host's network namespace cannot be read: " + e.getMessage());
        }
        return hosts;
    }

    @Override
    public void addInstanceLink(String hostEnd, String instanceEnd, String bridge, Target instance, String address,
            String gateway, int mtu) {
        run("ip", "link", "add", hostEnd, "mtu", Integer.toString(mtu), "type", "veth", "peer", "name", instanceEnd, "mtu",
                Integer.toString(mtu));
        try {
            run("ip", "link", "set", hostEnd, "master", bridge);
            run("ip", "link", "set", hostEnd, "up");
            run("ip", "link", "set", instanceEnd, "netns", instance.isProcess() ? Integer.toString(instance.pid())
                    : instance.netns());
            inside(instance, "ip", "addr", "add", address, "dev", instanceEnd);
            inside(instance, "ip", "link", "set", instanceEnd, "up");
            inside(instance, "ip", "link", "set", "lo", "up");
            // add, not replace: a namespace that routes elsewhere already is not rewired (the command fails, saying so)
            inside(instance, "ip", "route", "add", "default", "via", gateway, "dev", instanceEnd);
        } catch (LinuxNetException e) {
            deleteLink(hostEnd); // its peer goes with it, wherever it is
            throw e;
        }
    }

    private void inside(Target instance, String... command) {
        List<String> full = new ArrayList<>();
        if (instance.isProcess()) {
            full.addAll(List.of("nsenter", "-t", Integer.toString(instance.pid()), "-n"));
            full.addAll(List.of(command));
        } else {
            full.addAll(List.of(command[0], "-n", instance.netns()));
            full.addAll(List.of(command).subList(1, command.length));
        }
        global(full.toArray(String[]::new));
    }

    @Override
    public void replaceNatTable(String table, String body) {
        // add (so that the delete finds it), delete and define again: one nft transaction, applied whole or not at all
        String script = "table ip " + table + " {}\ndelete table ip " + table + "\ntable ip " + table + " {\n" + body + "}\n";
        runWithInput(script, "nft", "-f", "-");
    }

    @Override
    public void deleteNatTable(String table) {
        if (natTables().contains(table)) {
            run("nft", "delete", "table", "ip", table);
        }
    }

    @Override
    public List<String> natTables() {
        List<String> names = new ArrayList<>();
        for (String line : run("nft", "list", "tables", "ip").split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 3 && words[0].equals("table")) {
                names.add(words[2]);
            }
        }
        return names;
    }

    @Override
    public Optional<String> underlayAddress() {
        for (String line : run("ip", "-4", "-o", "route", "show", "default").split("\n")) {
            String[] words = line.strip().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("dev")) {
                    List<String> addresses = globalAddresses(words[i + 1]);
                    if (!addresses.isEmpty()) {
                        return Optional.of(addresses.getFirst());
                    }
                }
            }
        }
        List<String> all = globalAddresses(null);
        return all.size() == 1 ? Optional.of(all.getFirst()) : Optional.empty();
    }

    private List<String> globalAddresses(String device) {
        List<String> addresses = new ArrayList<>();
        String output = device == null ? run("ip", "-4", "-o", "addr", "show", "scope", "global")
                : run("ip", "-4", "-o", "addr", "show", "dev", device, "scope", "global");
        for (String line : output.split("\n")) {
            String[] words = line.strip().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("inet")) {
                    addresses.add(words[i + 1].split("/")[0]);
                }
            }
        }
        return addresses;
    }

    @Override
    public void routeIntoTunnel(String device, int mtu, String route) {
        run("ip", "link", "set", device, "mtu", Integer.toString(mtu), "up");
        run("ip", "route", "replace", route, "dev", device);
    }

    @Override
    public void enableForwarding() {
        run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /** A command in the host namespace. */
    private String run(String... command) {
        return runWithInput(null, command);
    }

    private String runWithInput(String input, String... command) {
        List<String> full = new ArrayList<>();
        hostNetns.ifPresent(ns -> full.addAll(List.of("ip", "netns", "exec", ns)));
        full.addAll(List.of(command));
        return execute(input, full, String.join(" ", command));
    }

    /**
     * A command that is not about the host namespace: named namespaces are the machine's (made inside
     * {@code ip netns exec}'s private mounts they would not be seen by the next command), and commands inside an
     * instance's namespace enter it themselves.
     */
    private String global(String... command) {
        return execute(null, List.of(command), String.join(" ", command));
    }

    private static String execute(String input, List<String> full, String shown) {
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            if (input != null) {
                try (var stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            } else {
                process.getOutputStream().close();
            }
            String output = read(process.getInputStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LinuxNetException(shown + ": no answer within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new LinuxNetException(shown + " failed (exit " + process.exitValue() + "): " + printable(output));
            }
            LOG.tracef("%s", shown);
            return output;
        } catch (IOException e) {
            throw new LinuxNetException(shown + " could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinuxNetException(shown + ": interrupted");
        }
    }

    private static String read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_OUTPUT);
        in.transferTo(java.io.OutputStream.nullOutputStream());
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String printable(String output) {
        String text = output.strip().replaceAll("[\\p{Cntrl}&&[^\n]]", "?").replace('\n', ' ');
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }
}
