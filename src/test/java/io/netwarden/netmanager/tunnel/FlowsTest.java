package io.netwarden.netmanager.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netwarden.netmanager.ipam.Ipv4Net;
import org.junit.jupiter.api.Test;

class FlowsTest {

    private static int ip(String dotted) {
        return Ipv4Net.address(dotted);
    }

    @Test
    void aRequestAndAnAnswerWithTheSameFiveValuesAreNotTakenForEachOther() {
        Flows flows = new Flows();
        long now = System.nanoTime();
        // client 10.16.0.2:4000 → closest IP 10.32.0.33:7, translated to 10.32.0.38 (its instance IP) → 10.16.0.3:7
        Flows.Flow flow = new Flows.Flow(Ipv4.TCP, ip("10.16.0.2"), 4000, ip("10.32.0.38"), ip("10.32.0.33"), 7,
                ip("10.16.0.3"), null, now);
        flows.add(flow);
        assertSame(flow, flows.forward(Ipv4.TCP, ip("10.16.0.2"), 4000, ip("10.32.0.33"), 7));
        assertSame(flow, flows.reverse(Ipv4.TCP, ip("10.16.0.3"), 7, ip("10.32.0.38"), 4000));
        assertNull(flows.forward(Ipv4.TCP, ip("10.16.0.3"), 7, ip("10.32.0.38"), 4000), "the answer is no request");
        assertNull(flows.reverse(Ipv4.TCP, ip("10.16.0.2"), 4000, ip("10.32.0.33"), 7));
        assertNull(flows.forward(Ipv4.UDP, ip("10.16.0.2"), 4000, ip("10.32.0.33"), 7), "another protocol");
        assertEquals(1, flows.size());
        // the same client port to another service IP whose choice is the same instance: its answers would look alike
        Flows.Flow clash = new Flows.Flow(Ipv4.TCP, ip("10.16.0.2"), 4000, ip("10.32.0.38"), ip("10.32.0.34"), 7,
                ip("10.16.0.3"), null, now);
        assertEquals(Flows.Added.CONFLICT, flows.add(clash));
        assertNull(flows.forward(Ipv4.TCP, ip("10.16.0.2"), 4000, ip("10.32.0.34"), 7), "not half added");
        assertSame(flow, flows.reverse(Ipv4.TCP, ip("10.16.0.3"), 7, ip("10.32.0.38"), 4000), "the first keeps its answers");
    }

    @Test
    void idleFlowsExpireTcpLaterThanTheRest() {
        Flows flows = new Flows();
        long start = System.nanoTime();
        flows.add(new Flows.Flow(Ipv4.TCP, ip("10.16.0.2"), 1, ip("10.32.0.9"), ip("10.32.0.1"), 80, ip("10.16.1.2"), null, start));
        flows.add(new Flows.Flow(Ipv4.UDP, ip("10.16.0.2"), 2, ip("10.32.0.9"), ip("10.32.0.1"), 53, ip("10.16.1.2"), null, start));
        assertEquals(0, flows.expire(start + Flows.OTHER_IDLE_NANOS - 1));
        assertEquals(1, flows.expire(start + Flows.OTHER_IDLE_NANOS + 1), "UDP after a minute");
        assertEquals(0, flows.expire(start + Flows.TCP_IDLE_NANOS - 1));
        assertEquals(1, flows.expire(start + Flows.TCP_IDLE_NANOS + 1), "TCP after ten");
        assertEquals(0, flows.size());
    }
}
