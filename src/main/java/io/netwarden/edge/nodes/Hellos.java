package io.netwarden.edge.nodes;

import io.netwarden.edge.events.EdgeEvents;
import io.netwarden.edge.events.EdgeNodeOffline;
import io.netwarden.edge.events.EdgeNodeOnline;
import io.netwarden.platform.crypto.Ed25519Key;
import io.netwarden.platform.messaging.BusMessage;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.MessagingUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Hellos: every node says it is there on {@code edge.hello.<node>} every interval (plain messaging, not the durable
 * streams: a missed hello is no loss, the next one comes); the central listens to {@code edge.hello.*}, keeps the node
 * list ({@link NodeRegistry}) and marks offline the nodes it has not heard of for three intervals.
 *
 * <pre>
 *   every node:  [virtual thread] sign hello ─▶ publish ─▶ sleep interval
 *   central:     edge.hello.* ─▶ parse ─▶ subject = the hello's node? ─▶ registry.seen ─▶ log NEW / BACK / KEY_CHANGED
 *                                                                          NEW / BACK ─▶ EdgeNodeOnline
 *                [virtual thread] every interval: registry.markOffline(now − 3 × interval) ─▶ log, EdgeNodeOffline
 * </pre>
 *
 * Thread safety: the loops are single virtual threads; the subscription handler only touches the registry.
 */
public final class Hellos implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Hellos.class);
    static final int MISSED_HELLOS_OFFLINE = 3;

    private final String node;
    private final String version;
    private final List<String> roles;
    private final Ed25519Key key;
    private final Messaging messaging;
    private final Duration interval;
    private final Optional<NodeRegistry> registry;
    private final Clock clock;
    private final EdgeEvents events;
    private Thread sender;
    private Thread sweeper;
    private Messaging.Subscription subscription;

    /** @param registry present on the central only */
    public Hellos(String node, String version, List<String> roles, Ed25519Key key, Messaging messaging, Duration interval,
            Optional<NodeRegistry> registry, Clock clock, EdgeEvents events) {
        this.node = node;
        this.version = version;
        this.roles = List.copyOf(roles);
        this.key = key;
        this.messaging = messaging;
        this.interval = interval;
        this.registry = registry;
        this.clock = clock;
        this.events = events;
    }

    public synchronized void start() {
        if (sender != null) {
            return;
        }
        registry.ifPresent(list -> {
            subscription = messaging.subscribe("edge.hello.*", Optional.empty(), message -> heard(list, message));
            sweeper = Thread.ofVirtual().name("edge-offline").start(() -> sweep(list));
        });
        sender = Thread.ofVirtual().name("edge-hello").start(this::sayHello);
    }

    @Override
    public synchronized void close() {
        if (sender != null) {
            sender.interrupt();
            sender = null;
        }
        if (sweeper != null) {
            sweeper.interrupt();
            sweeper = null;
        }
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    private void sayHello() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Hello hello = Hello.signed(node, version, roles, key, clock.instant());
                messaging.publish(Hello.subject(node), hello.toJson());
            } catch (MessagingUnavailableException e) {
                LOG.debugf("hello not sent: %s", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warnf("hello not sent: %s", e.toString());
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void heard(NodeRegistry list, BusMessage message) {
        Hello hello;
        try {
            hello = Hello.fromJson(message.data());
        } catch (IllegalArgumentException e) {
            LOG.warnf("a hello on %s is not valid (%s); ignored", message.subject(), e.getMessage());
            return;
        }
        if (!message.subject().equals(Hello.subject(hello.node()))) {
            LOG.warnf("a hello for node %s came on %s; ignored", hello.node(), message.subject());
            return;
        }
        Instant now = clock.instant();
        switch (list.seen(hello, now)) {
            case NEW -> {
                LOG.infof("edge node %s joined (version %s, key %s)", hello.node(), hello.version(), hello.fingerprint());
                events.fire(new EdgeNodeOnline(hello.node(), hello.version(), hello.fingerprint(), true, now));
            }
            case BACK -> {
                LOG.infof("edge node %s is back online", hello.node());
                events.fire(new EdgeNodeOnline(hello.node(), hello.version(), hello.fingerprint(), false, now));
            }
            case KEY_CHANGED -> LOG.warnf("edge node %s says hello with another key (%s) than the one pinned; ignored"
                    + " (remove the node to pin the new key)", hello.node(), hello.fingerprint());
            case STALE -> LOG.warnf("a hello of node %s was sent at %s, too far from now; ignored (clock?)", hello.node(),
                    hello.sentAt());
            case BAD_SIGNATURE -> LOG.warnf("a hello of node %s is not signed by the key it carries; ignored", hello.node());
            case FULL -> LOG.warnf("a hello of new node %s is ignored: the node list is full (netwarden.edge.max-nodes);"
                    + " DELETE nodes that are gone", hello.node());
            case SEEN -> {
                // nothing new
            }
        }
    }

    private void sweep(NodeRegistry list) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                Instant now = clock.instant();
                for (String gone : list.markOffline(now.minus(interval.multipliedBy(MISSED_HELLOS_OFFLINE)))) {
                    LOG.warnf("edge node %s is offline (no hello for %s)", gone, interval.multipliedBy(MISSED_HELLOS_OFFLINE));
                    events.fire(new EdgeNodeOffline(gone, now));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("edge offline sweep: %s", e.getMessage());
            }
        }
    }
}
