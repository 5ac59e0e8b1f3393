package io.netwarden.netmanager.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netwarden.netmanager.ipam.Ipv4Net;
import io.netwarden.netmanager.tunnel.Ipv4;
import io.netwarden.testing.TestNetns;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A TUN device opened through FFM inside a test namespace: the kernel's packets read, answers written back. */
class TunDeviceTest {

    @Test
    void aPingToTheDevicesNetworkIsReadAndTheAnswerWrittenBackReachesPing() throws Exception {
        try (TestNetns ns = TestNetns.create()) {
            TunDevice tun = Netns.call(Optional.of(ns.name()), () -> TunDevice.open("nwttun0"));
            try {
                run("ip", "-n", ns.name(), "addr", "add", "10.250.0.1/24", "dev", "nwttun0");
                run("ip", "-n", ns.name(), "link", "set", "nwttun0", "up");
                Process ping = new ProcessBuilder("ip", "netns", "exec", ns.name(), "ping", "-c", "1", "-W", "5",
                        "10.250.0.2").redirectErrorStream(true).start();
                byte[] packet = new byte[TunDevice.MAX_PACKET];
                int length = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline) { // the kernel may send other packets first (router solicitations …)
                    length = tun.read(packet);
                    if (length > 0 && Ipv4.check(packet, length) == null && Ipv4.isEchoRequest(packet)) {
                        break;
                    }
                }
                assertTrue(length > 0 && Ipv4.isEchoRequest(packet), "the echo request came out of the device");
                assertEquals("10.250.0.2", Ipv4Net.format(Ipv4.destination(packet)));
                // answer it: swap the addresses, type 8 → 0 (its checksum moves by 0x0800)
                int src = Ipv4.source(packet);
                int dst = Ipv4.destination(packet);
                Ipv4.setSource(packet, dst);
                Ipv4.setDestination(packet, src);
                packet[20] = 0;
                int checksum = Ipv4.u16(packet, 22) + 0x0800;
                checksum = (checksum & 0xffff) + (checksum >>> 16);
                packet[22] = (byte) (checksum >>> 8);
                packet[23] = (byte) checksum;
                assertTrue(tun.write(packet, 0, length));
                String output = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(ping.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, ping.exitValue(), output);
                assertTrue(output.contains("1 received"), output);
            } finally {
                tun.close();
            }
            assertEquals(-1, tun.read(new byte[10]), "closed");
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0, String.join(" ", command) + ": " + output);
    }
}
