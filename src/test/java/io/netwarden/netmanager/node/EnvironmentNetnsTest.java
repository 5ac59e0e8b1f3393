package io.netwarden.netmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.linux.IpCommands;
import io.netwarden.testing.Deadline;
import io.netwarden.testing.TestNetns;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The environment manager on real Linux networking (root): a test namespace is "the host"; instances join its bridge
 * in namespaces of their own, by name or by a process; a mapped port answers from outside; nothing stays behind.
 */
class EnvironmentNetnsTest {

    private static final String SERVICE = "app.appns.web.default";
    private TestNetns host;
    private IpCommands net;
    private Environment.Settings settings;
    private Environment environment;
    private final List<Process> processes = new ArrayList<>();
    private final String id = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
        (byte) ThreadLocalRandom.current().nextInt()});

    @BeforeEach
    void host() throws Exception {
        host = TestNetns.create();
        net = new IpCommands(Optional.of(host.name()));
        settings = new Environment.Settings("t" + id, Ipv4Net.parse("10.19.1.0/24"), 1450, 50103,
                Files.createTempDirectory("netmanager-state"));
        environment = Environment.start(net, settings);
    }

    @AfterEach
    void cleanUp() throws Exception {
        processes.forEach(Process::destroyForcibly);
        try {
            environment.close();
        } finally {
            host.close(); // and the test's instance namespaces, named nwtest-…, with it below
            TestNetns.removeLeftovers();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(15, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " → " + process.exitValue() + ": " + output);
        }
        return output;
    }

    /** A TCP server in the instance's namespace on port 80 that says who it is to each connection. */
    private void serve(String netns) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", """
                import socket
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 80)); s.listen(8); print("listening", flush=True)
                while True:
                    c, peer = s.accept(); c.sendall(b"hello from the instance\\n"); c.close()
                """).redirectErrorStream(true).start();
        processes.add(server);
        String first = new String(server.getInputStream().readNBytes(10), StandardCharsets.UTF_8);
        assertEquals("listening\n", first.substring(0, Math.min(10, first.length())));
    }

    private static String greeting(String address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            socket.setSoTimeout(3000);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    void aNamedNamespaceJoinsTheBridgeAndItsMappedPortAnswersFromOutside() throws Exception {
        String instance = "nwtest-" + id + "i";
        Environment.Instance deployed = environment.deploy(SERVICE, 0, Optional.of(instance), Optional.empty(), "8080:80/tcp");
        assertEquals("10.19.1.2", deployed.nsAddress());
        assertTrue(run("ip", "-n", instance, "-4", "-o", "addr", "show").contains("inet 10.19.1.2/24"));
        assertTrue(run("ip", "-n", instance, "route", "show", "default").contains("via 10.19.1.1"));
        run("ip", "netns", "exec", instance, "ping", "-c", "1", "-W", "2", "10.19.1.1"); // the bridge answers
        serve(instance);
        // from outside the "host": its address, the mapped port, reaches the instance's port 80 and the answer comes back
        assertEquals("hello from the instance", greeting(host.nsAddress(), 8080));

        environment.undeploy(SERVICE, 0);
        assertFalse(run("ip", "netns", "list").contains(instance), "the namespace it made is gone");
        assertFalse(run("ip", "-n", host.name(), "-o", "link", "show").contains(deployed.hostLink()));
        assertFalse(run("ip", "netns", "exec", host.name(), "nft", "list", "table", "ip", settings.natTable()).contains("8080"));
        assertThrows(IOException.class, () -> greeting(host.nsAddress(), 8080), "nothing answers on the port any more");
    }

    @Test
    void aProcessNamespaceJoinsByItsPidAndStaysWhenTheInstanceGoes() throws Exception {
        Process sleeper = new ProcessBuilder("unshare", "--net", "sleep", "120").start();
        processes.add(sleeper);
        int pid = (int) sleeper.pid();
        String own = Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net")).toString();
        Deadline.await("the process in its own namespace", Duration.ofSeconds(5),
                () -> Files.readSymbolicLink(java.nio.file.Path.of("/proc/" + pid + "/ns/net")).toString(),
                ns -> !ns.equals(own));
        Environment.Instance deployed = environment.deploy(SERVICE, 3, Optional.empty(), Optional.of(pid), "");
        assertEquals("10.19.1.2", deployed.nsAddress());
        String pidNs = String.valueOf(pid);
        assertTrue(run("nsenter", "-t", pidNs, "-n", "ip", "-4", "-o", "addr", "show").contains("inet 10.19.1.2/24"));
        run("nsenter", "-t", pidNs, "-n", "ping", "-c", "1", "-W", "2", "10.19.1.1");
        environment.undeploy(SERVICE, 3);
        assertFalse(run("nsenter", "-t", pidNs, "-n", "ip", "-o", "link", "show").contains("t" + id + "p"),
                "its end of the link is gone");
        assertTrue(sleeper.isAlive(), "the process and its namespace are not the node's to remove");
    }

    @Test
    void aStartAfterACrashRemovesWhatTheLastRunLeftAndACloseLeavesNothing() throws Exception {
        String instance = "nwtest-" + id + "c";
        environment.deploy(SERVICE, 0, Optional.of(instance), Optional.empty(), "8081:80/tcp");
        // killed: no close; a new start with the same prefix
        environment = Environment.start(net, settings);
        String links = run("ip", "-n", host.name(), "-o", "link", "show");
        assertFalse(links.contains("t" + id + "v"), "the old instance link is gone: " + links);
        assertTrue(links.contains("t" + id + "br0"), "a new bridge");
        assertFalse(run("ip", "netns", "list").contains(instance), "the namespace the last run made is gone");
        environment.deploy(SERVICE, 0, Optional.of(instance), Optional.empty(), "");
        environment.close();
        assertFalse(run("ip", "-n", host.name(), "-o", "link", "show").contains("t" + id));
        assertFalse(run("ip", "netns", "exec", host.name(), "nft", "list", "tables").contains(settings.natTable()));
        assertFalse(run("ip", "netns", "list").contains(instance));
    }
}
