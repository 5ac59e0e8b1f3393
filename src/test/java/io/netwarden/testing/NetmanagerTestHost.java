package io.netwarden.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The namespace the test app's netmanager node takes for its host ({@code %test.netwarden.netmanager.host-netns}), so
 * that registering in a test makes the bridge there and not on the machine. Made once per test JVM when first needed;
 * removed when the JVM ends (its links go with it); a killed run's is removed by {@link TestNetns#removeLeftovers}
 * (same prefix).
 */
public final class NetmanagerTestHost {

    public static final String NAME = "nwtest-nmapi";
    private static boolean made;

    private NetmanagerTestHost() {
    }

    public static synchronized void ensure() throws IOException, InterruptedException {
        if (made) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the netmanager's tests need root (CI runs them as root)");
        }
        TestNetns.keep(NAME);
        run("ip", "netns", "del", NAME); // a killed run's, if any
        if (run("ip", "netns", "add", NAME) != 0) {
            throw new IOException("ip netns add " + NAME + " failed");
        }
        run("ip", "-n", NAME, "link", "set", "lo", "up");
        made = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run("ip", "netns", "del", NAME);
            } catch (IOException | InterruptedException e) {
                // the next run's removeLeftovers takes it
            }
        }));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
