package io.netwarden.registry.services;

import io.netwarden.registry.description.DescriptionException;
import io.netwarden.registry.description.DescriptionSource;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * The registry's health checks, beyond the seed (what registrator with Consul ESM gives):
 *
 * <pre>
 *   round (every health-interval) ─▶ the LOCATIONs of the services this instance sees, least recently probed first
 *     ─▶ each probed once, started evenly over half the interval, PARALLEL at a time: a GET of the LOCATION (or of health-path on its host and port), under
 *        the description fetch's rules ─ 200 ─▶ passing │ anything else ─▶ critical (since the first failure)
 *     ─▶ services critical for longer than deregister-critical-after ─▶ deregistered (reason "critical")
 * </pre>
 *
 * One LOCATION's verdict holds for every service registered with it (a device serves one description). Thread safety:
 * a round runs on one thread at a time; the probes of a round share only the thread-safe store and source.
 */
public final class HealthProbes {

    private static final Logger LOG = Logger.getLogger(HealthProbes.class);
    static final int PARALLEL = 32;
    static final int MAX_TARGETS = 20_000;

    private final Registrations registrations;
    private final DescriptionSource source;
    private final Optional<String> path;
    private final String instance;
    private final Duration deregisterAfter;
    private final Clock clock;

    /**
     * @param path probed instead of the LOCATION's path, on the same host and port ({@code /health}); empty: the LOCATION
     */
    public HealthProbes(Registrations registrations, DescriptionSource source, Optional<String> path, String instance,
            Duration deregisterAfter, Clock clock) {
        this.registrations = registrations;
        this.source = source;
        this.path = path;
        this.instance = instance;
        this.deregisterAfter = deregisterAfter;
        this.clock = clock;
    }

    /** One round at once; returns how many LOCATIONs were probed. */
    public int probeAll() throws InterruptedException {
        return probeAll(Duration.ZERO);
    }

    /**
     * One round, its probes started evenly over {@code spread} (a thousand devices probed in one burst would stall the
     * registry's own work for that moment); returns how many LOCATIONs were probed.
     */
    public int probeAll(Duration spread) throws InterruptedException {
        ServiceStore store = registrations.store();
        List<ServiceStore.ProbeTarget> targets = store.probeTargets(instance, MAX_TARGETS);
        long gap = targets.isEmpty() ? 0 : spread.toNanos() / targets.size();
        long next = System.nanoTime();
        Semaphore slots = new Semaphore(PARALLEL);
        try (ExecutorService probes = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("registry-probe-", 0).factory())) { // named: the log shows whose line it is
            for (ServiceStore.ProbeTarget target : targets) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                next += gap;
                slots.acquire();
                probes.submit(() -> {
                    try {
                        probe(store, target);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        registrations.removeCritical(clock.instant().minus(deregisterAfter));
        return targets.size();
    }

    private void probe(ServiceStore store, ServiceStore.ProbeTarget target) {
        boolean passing;
        String why = "";
        try {
            source.fetch(probed(target), InetAddress.ofLiteral(target.address()));
            passing = true;
        } catch (DescriptionException e) {
            passing = false;
            why = " (" + e.reason().label() + ": " + e.getMessage() + ")";
        } catch (RuntimeException e) {
            passing = false;
            why = " (" + e.getClass().getSimpleName() + ")";
        }
        try {
            List<RegisteredService> changed = store.recordHealth(target, passing, clock.instant());
            if (!changed.isEmpty()) { // one line per device, not per service
                LOG.infof("%d service(s) at %s now %s%s", changed.size(), target.location(), passing ? "passing" : "critical",
                        why);
            }
        } catch (RuntimeException e) {
            LOG.warnf("the probe of %s was not recorded: %s", target.location(), e.getMessage());
        }
    }

    private URI probed(ServiceStore.ProbeTarget target) {
        URI location = URI.create(target.location());
        if (path.isEmpty()) {
            return location;
        }
        try {
            return new URI("http", null, location.getHost(), location.getPort(), path.get(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("health-path is not a URL path", e);
        }
    }
}
