package io.netwarden.netmanager.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4NetTest {

    @Test
    void subnetsOfTheContainerNetwork() {
        Ipv4Net pool = Ipv4Net.parse("10.16.0.0/12");
        assertEquals(4096, pool.count(24));
        assertEquals("10.16.0.0/24", pool.subnet(24, 0).toString());
        assertEquals("10.19.1.0/24", pool.subnet(24, 769).toString());
        assertEquals("10.31.255.0/24", pool.subnet(24, 4095).toString());
        assertEquals(769, pool.indexOf(Ipv4Net.address("10.19.1.77"), 24));
        assertEquals(-1, pool.indexOf(Ipv4Net.address("10.32.0.1"), 24));
        assertTrue(pool.contains(Ipv4Net.address("10.31.255.255")));
        assertFalse(pool.contains(Ipv4Net.address("10.32.0.0")));
        assertEquals("10.16.3.1", Ipv4Net.format(pool.subnet(24, 3).host(1)));
        assertEquals("255.255.255.255", Ipv4Net.format(Ipv4Net.address("255.255.255.255")));
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(24, 4096));
    }

    @Test
    void badNetworksAndAddressesAreRefusedSayingWhy() {
        for (String bad : new String[] {"10.16.0.0", "10.16.0.0/33", "10.16.0.0/x", "10.16.0/12", "10.016.0.0/12",
                "10.16.0.256/24", "10.16.0.0.0/12", " 10.16.0.0/12", "10.16.-1.0/24", "1e1.0.0.0/8"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse(bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Net.parse("10.16.1.0/12"));
        assertTrue(e.getMessage().contains("10.16.0.0/12"), e.getMessage());
    }

    @Test
    void ipv6SubnetsAreNumberedAsOakestraNumbersThem() {
        assertEquals("fc00::", NodeSubnets.v6(0));
        assertEquals("fc00::100", NodeSubnets.v6(1));
        assertEquals("fc00::1:0", NodeSubnets.v6(256));
        assertEquals("fc00::f:ff00", NodeSubnets.v6(4095));
    }
}
