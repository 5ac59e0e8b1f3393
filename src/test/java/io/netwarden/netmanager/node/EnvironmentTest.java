package io.netwarden.netmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.platform.api.ApiException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The environment manager's logic on a fake Linux: addresses, checks, rollback, leftovers, the nft table it writes. */
class EnvironmentTest {

    private static final String SERVICE = "app.appns.web.default";
    private FakeLinuxNet net;
    private Environment.Settings settings;
    private Environment environment;

    @BeforeEach
    void start() throws Exception {
        net = new FakeLinuxNet();
        settings = new Environment.Settings("nw", Ipv4Net.parse("10.19.1.0/24"), 1450, 50103,
                Files.createTempDirectory("netmanager-state"));
        environment = Environment.start(net, settings);
    }

    private ApiException refused(Runnable call, String code) {
        ApiException e = assertThrows(ApiException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    @Test
    void instancesGetTheLowestFreeAddressAndTheirLinksAndPortsGoWithThem() {
        assertTrue(net.links.contains("nwbr0") && net.forwarding);
        Environment.Instance first = environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "8080:80/tcp");
        Environment.Instance second = environment.deploy(SERVICE, 1, Optional.of("web1"), Optional.empty(), "9000/udp;9001:91");
        assertEquals("10.19.1.2", first.nsAddress());
        assertEquals("10.19.1.3", second.nsAddress());
        assertEquals("10.19.1.2/24 via 10.19.1.1 in namespace web0", net.instanceLinks.get(first.hostLink()));
        assertTrue(net.namespaces.containsAll(List.of("web0", "web1")), "created, as they did not exist");
        String table = net.tables.get("nw_nat");
        assertTrue(table.contains("fib daddr type local tcp dport 8080 dnat to 10.19.1.2:80"), table);
        assertTrue(table.contains("udp dport 9000 dnat to 10.19.1.3:9000"), table);
        assertTrue(table.contains("tcp dport 9001 dnat to 10.19.1.3:91"), table);
        assertTrue(table.contains("ip saddr 10.19.1.0/24 oifname != \"nwbr0\" oifname != \"nwtun0\" masquerade"), table);
        assertTrue(table.contains("ip saddr 10.19.1.0/24 iifname != \"nwbr0\" drop"), "instance addresses only from the"
                + " bridge: " + table);
        assertTrue(table.contains("oifname \"nwbr0\" iifname \"nwtun0\" accept") && table.contains("oifname \"nwbr0\" ct"
                + " status dnat accept") && table.trim().endsWith("oifname \"nwbr0\" drop\n  }"), "into the bridge only from"
                + " the tunnel, mappings and answers: " + table);

        environment.undeploy(SERVICE, 0);
        assertFalse(net.links.contains(first.hostLink()));
        assertFalse(net.namespaces.contains("web0"), "the namespace it made is gone");
        assertFalse(net.tables.get("nw_nat").contains("8080"));
        assertEquals("10.19.1.2", environment.deploy(SERVICE, 2, Optional.of("web2"), Optional.empty(), "").nsAddress(),
                "the freed address is handed out again");
    }

    @Test
    void aNamespaceThatExistsIsUsedAndLeftWhenTheInstanceGoes() {
        net.namespaces.add("theirs");
        environment.deploy(SERVICE, 0, Optional.of("theirs"), Optional.empty(), "");
        environment.undeploy(SERVICE, 0);
        assertTrue(net.namespaces.contains("theirs"), "not this node's to delete");
    }

    @Test
    void badRequestsAreRefusedWithTheirCodeAndChangeNothing() {
        net.processes.put(4242, "net:[4242]");
        net.processes.put(77, "net:[1]"); // a process in the host's namespace (a kernel thread, a host daemon)
        net.processes.put(78, "net:[4242]"); // shares 4242's
        environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "8080:80");
        List<String> before = List.copyOf(net.calls);
        refused(() -> environment.deploy("app.web", 1, Optional.of("x"), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.deploy("app.appns.we b.default", 1, Optional.of("x"), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 0, Optional.of("other"), Optional.empty(), ""), "instance_exists");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("web0"), Optional.empty(), ""), "instance_exists");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "50103:80/udp"), "port_reserved");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "8080:81/tcp"), "port_taken");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "80:80,80:81"), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "0:80"), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "80:70000"), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "80/sctp"), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), "a:b"), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.empty(), Optional.of(999_999), ""), "no_such_process");
        refused(() -> environment.deploy(SERVICE, 1, Optional.empty(), Optional.of(1), ""), "no_such_process");
        refused(() -> environment.deploy(SERVICE, 1, Optional.empty(), Optional.of(77), ""), "no_such_process");
        net.namespaces.add("hostns");
        net.namedIds.put("hostns", "net:[1]");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("hostns"), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("x"), Optional.of(4242), ""), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.empty(), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.deploy(SERVICE, 1, Optional.of("../etc"), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.deploy(SERVICE, -1, Optional.of("x"), Optional.empty(), ""), "invalid_request");
        refused(() -> environment.undeploy(SERVICE, 7), "unknown_instance");
        assertEquals(before, net.calls, "nothing was done for any of them");
        assertEquals(1, environment.instances().size());
        environment.deploy(SERVICE, 1, Optional.empty(), Optional.of(4242), "");
        refused(() -> environment.deploy(SERVICE, 2, Optional.empty(), Optional.of(78), ""), "instance_exists");
    }

    @Test
    void aStepThatFailsLeavesNothingBehindAndTheAddressFree() {
        net.failNext.add("addInstanceLink");
        ApiException e = refused(() -> environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), ""),
                "network_failed");
        assertTrue(e.getMessage().contains("addInstanceLink failed"), e.getMessage());
        assertFalse(net.namespaces.contains("web0"), "the namespace made for it is gone again");
        assertEquals(List.of("nwbr0"), net.links());
        net.failNext.add("replaceNatTable");
        refused(() -> environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "8080:80"), "network_failed");
        assertEquals(List.of("nwbr0"), net.links(), "the link made before the table failed is gone");
        assertFalse(net.tables.get("nw_nat").contains("8080"));
        assertEquals("10.19.1.2", environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "").nsAddress());
    }

    @Test
    void aStartAfterACrashRemovesWhatTheLastRunLeftAndACloseRemovesEverything() throws Exception {
        environment.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "8080:80");
        net.links.add("nwother"); // not of the pattern: not ours
        net.links.add("eth0");
        Environment again = Environment.start(net, settings); // the process was killed: nothing was closed
        assertEquals(List.of("nwother", "eth0", "nwbr0"), net.links(), "the old bridge and veth removed, a new bridge");
        assertFalse(net.namespaces.contains("web0"), "the namespace the last run made is removed");
        assertFalse(net.tables.get("nw_nat").contains("8080"));
        again.deploy(SERVICE, 0, Optional.of("web0"), Optional.empty(), "");
        again.close();
        assertEquals(List.of("nwother", "eth0"), net.links());
        assertTrue(net.namespaces.isEmpty() && net.tables.isEmpty());
        refused(() -> again.deploy(SERVICE, 1, Optional.of("x"), Optional.empty(), ""), "not_registered");
    }

    @Test
    void aFullSubnetSaysSo() throws Exception {
        Environment small = Environment.start(new FakeLinuxNet(), new Environment.Settings("nx",
                Ipv4Net.parse("10.19.2.0/30"), 1450, 50103, Files.createTempDirectory("netmanager-state")));
        assertEquals("10.19.2.2", small.deploy(SERVICE, 0, Optional.of("a"), Optional.empty(), "").nsAddress());
        refused(() -> small.deploy(SERVICE, 1, Optional.of("b"), Optional.empty(), ""), "subnet_full");
    }
}
