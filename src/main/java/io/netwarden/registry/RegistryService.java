package io.netwarden.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.export.DomainEvent;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.persistence.ActiveDatabase;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.consul.ConsulKv;
import io.netwarden.platform.consul.HttpConsulServices;
import io.netwarden.registry.backends.ConsulMirror;
import io.netwarden.registry.description.DeviceDescriptions;
import io.netwarden.registry.events.Announcements;
import io.netwarden.registry.description.HttpDescriptionSource;
import io.netwarden.registry.services.HealthProbes;
import io.netwarden.registry.services.Registrations;
import io.netwarden.registry.services.SsdpListener;
import io.netwarden.registry.services.Whitelist;
import io.netwarden.registry.ssdp.MulticastSsdpSocket;
import io.netwarden.registry.ssdp.SsdpMetrics;
import io.netwarden.registry.ssdp.SsdpSocket;
import io.netwarden.registry.store.DatabaseServiceStore;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTermOverrides;
import io.netwarden.registry.whitelist.SearchTerms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The registry role's lifecycle:
 *
 * <pre>
 *   start ─▶ whitelist from config and registry.json ─▶ store (the database) ─▶ Registrations (device
 *            descriptions fetched over HTTP for new services)
 *         ─▶ the whitelist in force: configuration + the changes stored through the API
 *         ─▶ housekeeping loop (every EXPIRY_CHECK: sightings past their max-age end, services no instance sees go;
 *            every WHITELIST_REFRESH: other instances' whitelist changes applied, services counted by tag and status)
 *         ─▶ health loop (every health-interval, unless 0s): LOCATIONs probed, critical ones deregistered in time
 *         ─▶ with backend=consul: the Consul mirror loop (every consul-sync-interval and soon after a change)
 *         ─▶ SSDP listener (unless netwarden.registry.listen=false): advertisements in, searches out, resync
 *   events (registered, updated, deregistered) ─▶ CDI (the Kafka export) and the bus: registry.events.&lt;instance&gt;
 *   stop  ─▶ listener closed, the loop ends; registrations stay (other instances, or this one after a restart, renew
 *            or resync them)
 * </pre>
 *
 * Thread safety: start and stop are called by the lifecycle one at a time; the running parts are published through volatile fields.
 */
@ApplicationScoped
public class RegistryService implements RoleService {

    private static final Logger LOG = Logger.getLogger(RegistryService.class);
    static final Duration EXPIRY_CHECK = Duration.ofSeconds(1);
    /** How soon a whitelist change another instance made applies here. */
    static final Duration WHITELIST_REFRESH = Duration.ofSeconds(5);

    @Inject
    RegistryConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    SearchTerms searchTerms;

    @Inject
    NodeIdentity identity;

    @Inject
    ActiveDatabase database;

    @Inject
    Event<DomainEvent> domainEvents;

    @Inject
    MeterRegistry meters;

    @Inject
    NetwardenConfig platform;

    @Inject
    Messaging messaging;

    private volatile Announcements announcements;
    private volatile Registrations registrations;
    private volatile Whitelist whitelist;
    private volatile Thread expiry;
    private volatile Thread health;
    private volatile Thread mirror;
    private final Semaphore changed = new Semaphore(0);
    private volatile SsdpListener listener;
    private SsdpMetrics ssdpMetrics;

    /** The packet counters, registered once per process (the role may start again). */
    private synchronized SsdpMetrics metrics() {
        if (ssdpMetrics == null) {
            ssdpMetrics = new SsdpMetrics(meters);
        }
        return ssdpMetrics;
    }

    @Override
    public Role role() {
        return Role.REGISTRY;
    }

    /** Refuses settings that cannot work, naming the key. */
    private void checkConfig() {
        Duration interval = config.healthInterval();
        if (!interval.isZero() && (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0)) {
            throw new IllegalStateException("netwarden.registry.health-interval must be 0s (off) or between 1s and 1d");
        }
        if (config.deregisterCriticalAfter().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalStateException("netwarden.registry.deregister-critical-after must be at least 1s");
        }
        config.healthPath().ifPresent(path -> {
            if (path.length() > 255 || !path.startsWith("/") || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                    || path.contains("?") || path.contains("#")) {
                throw new IllegalStateException("netwarden.registry.health-path must be an absolute URL path ('/health'),"
                        + " printable, without spaces, query or fragment, at most 255 characters");
            }
        });
        Duration search = config.searchInterval();
        if (search.compareTo(Duration.ofSeconds(10)) < 0 || search.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalStateException("netwarden.registry.search-interval must be between 10s and 1d");
        }
    }

    @Override
    public void start() {
        checkConfig();
        HttpConsulServices consul = null;
        if (config.backend() == RegistryConfig.Backend.consul) {
            URI agent = platform.consul().url().orElseThrow(() -> new IllegalStateException("netwarden.registry.backend=consul"
                    + " needs netwarden.consul.url (the local Consul agent, like http://127.0.0.1:8500)"));
            consul = new HttpConsulServices(agent, platform.consul().token(), platform.consul().timeout());
        }
        List<SearchTerm> terms = new ArrayList<>(SearchTerms.fromConfig(config.tags()));
        config.configFile().ifPresent(file -> terms.addAll(SearchTerms.fromRegistryJson(file, json)));
        String userAgent = "Linux UPnP/1.1 Netwarden/" + identity.version();
        DeviceDescriptions descriptions = new DeviceDescriptions(new HttpDescriptionSource(userAgent), metrics()::described);
        Registrations running = new Registrations(new DatabaseServiceStore(database.dataSource(),
                config.maxServices(), config.maxServicesPerAddress()), searchTerms, descriptions,
                identity.name(), Clock.systemUTC(), this::fire);
        Whitelist inForce = new Whitelist(terms, new SearchTermOverrides(database.dataSource()), searchTerms, running,
                urn -> {
                    SsdpListener hearing = listener;
                    if (hearing != null) {
                        hearing.searchFor(urn);
                    }
                }, identity.name(), Clock.systemUTC());
        inForce.load();
        SsdpSocket socket = null;
        if (config.listen()) { // opened first: a start that fails here leaves nothing running
            try {
                socket = MulticastSsdpSocket.open(config.interfaces(), config.port());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the registry cannot listen for SSDP on port " + config.port() + ": "
                        + e.getMessage() + " (netwarden.registry.listen=false to run without)");
            }
        }
        HealthProbes probes = config.healthInterval().isZero() ? null : new HealthProbes(running,
                new HttpDescriptionSource(userAgent), config.healthPath(), identity.name(), config.deregisterCriticalAfter(),
                Clock.systemUTC());
        announcements = new Announcements(messaging, json, identity.name());
        registrations = running;
        whitelist = inForce;
        if (probes != null) {
            health = Thread.ofVirtual().name("registry-health").start(() -> healthLoop(probes));
        }
        if (consul != null) {
            ConsulMirror consulMirror = new ConsulMirror(running.store(), consul, identity.name(),
                    config.consulSyncInterval().multipliedBy(3), config.deregisterCriticalAfter());
            mirror = Thread.ofVirtual().name("registry-consul").start(() -> mirrorLoop(consulMirror));
            LOG.infof("registry: services mirrored to the Consul agent at %s every %s", consul.describe(),
                    config.consulSyncInterval());
        }
        expiry = Thread.ofVirtual().name("registry-expiry").start(() -> expireLoop(running, inForce));
        if (socket != null) {
            SsdpListener hearing = new SsdpListener(socket, running, searchTerms, metrics(), config.searchInterval(),
                    config.resyncWindow(), userAgent, Clock.systemUTC());
            hearing.start();
            listener = hearing;
        }
        LOG.infof("registry %s: backend=%s, %d whitelisted URNs, %s, changes announced on %s (%s)", identity.name(),
                config.backend(), searchTerms.list().size(), config.listen() ? "listening for SSDP"
                        : "not listening (netwarden.registry.listen=false)", announcements.subject(),
                messaging.description());
    }

    @Override
    public void stop(Duration drain) {
        Thread loop = expiry;
        Thread probing = health;
        Thread mirroring = mirror;
        mirror = null;
        SsdpListener hearing = listener;
        listener = null;
        health = null;
        expiry = null;
        registrations = null;
        whitelist = null;
        if (hearing != null) {
            hearing.close();
        }
        if (loop != null) {
            loop.interrupt();
        }
        if (probing != null) {
            probing.interrupt();
        }
        if (mirroring != null) {
            mirroring.interrupt();
        }
    }

    /** Reconciles every consul-sync-interval, and soon after a registration changed. */
    private void mirrorLoop(ConsulMirror consul) {
        boolean failing = false;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (changed.tryAcquire(config.consulSyncInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                    Thread.sleep(200); // a burst of changes in one go
                    changed.drainPermits();
                }
                ConsulMirror.Result result = consul.reconcile();
                if (failing) {
                    LOG.infof("the Consul agent answers again: %d service(s) registered anew", result.registered());
                    failing = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (ConsulKv.ConsulException | RuntimeException e) {
                if (!failing) {
                    LOG.warnf("registry: Consul not in line (%s); trying again every %s, with a full resync", e.getMessage(),
                            config.consulSyncInterval());
                }
                failing = true;
            }
        }
    }

    private void healthLoop(HealthProbes probes) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(config.healthInterval());
                probes.probeAll(config.healthInterval().dividedBy(2));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("registry health probes failed (%s); trying again", e.getMessage());
            }
        }
    }

    private void expireLoop(Registrations running, Whitelist terms) {
        long lastRefresh = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(EXPIRY_CHECK);
                running.expire();
                if (System.nanoTime() - lastRefresh >= WHITELIST_REFRESH.toNanos()) {
                    lastRefresh = System.nanoTime();
                    terms.refresh();
                    metrics().services(running.store().countByTagAndStatus());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("registry housekeeping failed (%s); trying again", e.getMessage());
            }
        }
    }

    private void fire(DomainEvent event) {
        if (changed.availablePermits() == 0) {
            changed.release(); // the Consul mirror, when on, reconciles soon
        }
        try {
            domainEvents.fire(event);
        } catch (RuntimeException e) {
            LOG.warnf("domain event %s not handled: %s", event.type(), e.toString());
        }
        Announcements telling = announcements;
        if (telling != null) {
            telling.accept(event);
        }
    }

    /** The whitelist in force, for the API; 503 while the role is not running. */
    public Whitelist whitelist() {
        Whitelist running = whitelist;
        if (running == null) {
            throw new ApiException(503, "registry_not_running", "the registry role is not running (yet)");
        }
        return running;
    }

    /** The running registrations, for the API; 503 while the role is not running. */
    public Registrations registrations() {
        Registrations running = registrations;
        if (running == null) {
            throw new ApiException(503, "registry_not_running", "the registry role is not running (yet)");
        }
        return running;
    }
}
