package io.netwarden.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netwarden.edge.central.EdgeMetrics;
import io.netwarden.edge.central.EdgeSender;
import io.netwarden.edge.central.MessageLog;
import io.netwarden.edge.central.Submissions;
import io.netwarden.edge.delivery.EdgeStreams;
import io.netwarden.edge.errors.ErrorLog;
import io.netwarden.edge.errors.ErrorLogMethod;
import io.netwarden.edge.housekeeping.Housekeeping;
import io.netwarden.edge.inbox.Inbox;
import io.netwarden.edge.messages.EdgeAckWire;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.messages.EdgeWire;
import io.netwarden.edge.methods.AllowedDirectories;
import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.edge.methods.FileChunks;
import io.netwarden.edge.node.EdgeNode;
import io.netwarden.edge.node.ExecutionLog;
import io.netwarden.edge.nodes.Hellos;
import io.netwarden.edge.events.EdgeNodeOnline;
import io.netwarden.edge.nodes.NodeRegistry;
import io.netwarden.edge.rollouts.RolloutRequest;
import io.netwarden.edge.rollouts.RolloutStore;
import io.netwarden.edge.rollouts.Rollouts;
import io.netwarden.edge.security.CommandSignatures;
import io.netwarden.edge.security.EdgeKeys;
import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.Role;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.config.NetwardenConfig;
import io.netwarden.platform.export.DomainEvent;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.Subjects;
import io.netwarden.platform.messaging.durable.DeliveryUnavailableException;
import io.netwarden.platform.messaging.durable.DurableDelivery;
import io.netwarden.platform.messaging.durable.Outgoing;
import io.netwarden.platform.persistence.ActiveDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The edge-node role of this process: one node (named after the process' node name) that receives and runs messages,
 * and sends messages with the API and follows their answers.
 *
 * <pre>
 *   start ─▶ keys (netwarden.edge.signing.*) ─▶ streams EDGE, EDGE_ACKS declared
 *         ─▶ EdgeNode(name): consumers node-<name>-command│event on <name>.command│event.*
 *            ─▶ methods (every EdgeMethod bean) ─▶ ACK to the sender
 *         ─▶ EdgeSender(name): message log, consumer acks-<name> on <name>.ack.*, sweeper (publish again, expire)
 *         ─▶ Inbox: JSON appended to <data dir>/inmsg.txt is sent as the API would, and taken out of the file
 *         ─▶ Rollouts: messages sent in waves within a failure budget (state in the database)
 *         ─▶ Hellos: says hello every hello-interval; the central (named netwarden.edge.central, or a process without
 *            NATS, which is alone) keeps the node list and marks silent nodes offline
 *         ─▶ Housekeeping: hourly, what is older than netwarden.edge.retention goes (logs, rollouts, stale transfers)
 * </pre>
 *
 * Thread safety: start and stop run on the lifecycle thread; the node and sender are published through volatile fields.
 */
@ApplicationScoped
public class EdgeService implements RoleService {

    private static final Logger LOG = Logger.getLogger(EdgeService.class);

    @Inject
    EdgeConfig config;

    @Inject
    NetwardenConfig platform;

    @Inject
    NodeIdentity identity;

    @Inject
    DurableDelivery delivery;

    @Inject
    ActiveDatabase database;

    @Inject
    @Any
    Instance<EdgeMethod> methodBeans;

    @Inject
    Messaging messaging;

    @Inject
    MeterRegistry meters;

    @Inject
    Event<DomainEvent> domainEvents;

    private Gauge onlineGauge;

    private volatile EdgeNode node;
    private volatile EdgeSender sender;
    private volatile Hellos hellos;
    private volatile NodeRegistry registry;
    private volatile ErrorLog errorLog;
    private volatile Inbox inbox;
    private volatile Submissions submissions;
    private volatile Rollouts rollouts;
    private volatile Housekeeping housekeeping;

    @Override
    public Role role() {
        return Role.EDGE_NODE;
    }

    @Override
    public void start() {
        Subjects.requireToken("netwarden.edge.central", config.central());
        String name = nodeName(identity.name());
        EdgeKeys keys = EdgeKeys.load(config.signing(), platform);
        // the central keeps the node list and the error log; a process without NATS is alone, so it is the central
        // whatever its name
        boolean alone = platform.nats().url().filter(u -> !u.isBlank()).isEmpty();
        boolean central = name.equals(config.central()) || alone;
        String centralName = alone ? name : config.central();
        NodeRegistry nodes = central ? new NodeRegistry(database.dataSource(), config.maxNodes()) : null;
        // on the central, events (log lines, error reports) are taken from every node with the key pinned at its hello
        CommandSignatures signatures = new CommandSignatures(name, keys.own(), keys.trusted(), Clock.systemUTC(),
                sender -> nodes == null ? Optional.empty() : nodes.publicKey(sender));
        try {
            delivery.declare(EdgeStreams.messages(config.maxTtl()));
            delivery.declare(EdgeStreams.acks(config.maxTtl()));
        } catch (DeliveryUnavailableException e) {
            LOG.warnf("edge streams not declared yet (%s); they are when %s is reached", e.getMessage(), delivery.kind());
        }
        Map<String, EdgeMethod> methods = new HashMap<>();
        for (EdgeMethod method : methodBeans) {
            methods.put(method.name(), method);
        }
        EdgeNode.ErrorSink errors = (failedAt, messageId, method, error, text) -> reportError(signatures, name, centralName,
                failedAt, messageId, method, error, text);
        ExecutionLog executions = new ExecutionLog(database.dataSource());
        RolloutStore rolloutStore = new RolloutStore(database.dataSource());
        ErrorLog errorsKept = central ? new ErrorLog(database.dataSource()) : null;
        MessageLog messageLog = new MessageLog(database.dataSource());
        Housekeeping keeping = new Housekeeping(messageLog, executions,
                Optional.ofNullable(errorsKept), rolloutStore, Optional.ofNullable(nodes),
                platform.dataDir().resolve(EdgeConfig.TRANSFERS_DIR), config.retention(), config.maxTtl(),
                config.forgetNodesAfter(), Clock.systemUTC()); // checks retention against max-ttl before anything starts
        EdgeNode receiving = new EdgeNode(name, EdgeStreams.MESSAGES, delivery, signatures, methods,
                executions, (sender, ack) -> delivery.publishAsync(EdgeStreams.ACKS,
                        new Outgoing(EdgeStreams.ackSubject(sender, name), Map.of(), EdgeAckWire.write(ack),
                                Optional.of(EdgeAckWire.dedupeId(ack, sender)))), errors);
        FileChunks files = new FileChunks(new AllowedDirectories(config.files().allow().orElse(List.of())),
                config.files().maxCopyBytes());
        EdgeSender sending = new EdgeSender(name, delivery, signatures, messageLog,
                config.sweepInterval(), config.retryBackoff(), errors, new EdgeMetrics(meters), this::fire, files,
                new EdgeSender.Peers() {
                    @Override
                    public Optional<java.security.PublicKey> key(String node) {
                        return node.equals(name) ? Optional.of(keys.own().publicKey())
                                : nodes == null ? Optional.empty() : nodes.publicKey(node);
                    }

                    @Override
                    public boolean online(String node) {
                        return node.equals(name) || nodes == null || nodes.online(node);
                    }
                });
        if (nodes != null && onlineGauge == null) {
            onlineGauge = Gauge.builder("netwarden.edge.nodes.online", this, EdgeService::nodesOnline)
                    .description("Edge nodes online (on the central)").register(meters);
        }
        errorLog = errorsKept;
        Hellos saying = new Hellos(name, identity.version(), identity.roles().ids(), keys.own(), messaging,
                config.helloInterval(), Optional.ofNullable(nodes), Clock.systemUTC(), event -> {
                    if (event instanceof EdgeNodeOnline online) {
                        sending.nodeBack(online.node());
                    }
                    fire(event);
                });
        Submissions submitting = new Submissions(sending, files, config, this::knownNodes);
        receiving.start();
        sending.start();
        saying.start();
        node = receiving;
        submissions = submitting; // before the sender: a running sender means submissions work
        sender = sending;
        hellos = saying;
        registry = nodes;
        Inbox reading = new Inbox(config.inboxFile().orElse(platform.dataDir().resolve("inmsg.txt")), name,
                config.sweepInterval(), submitting::submit, errors, Clock.systemUTC());
        reading.start();
        inbox = reading;
        Rollouts rolling = new Rollouts(rolloutStore, submitting::sendRolloutMessage, config.sweepInterval(),
                Clock.systemUTC());
        rolling.start();
        rollouts = rolling;
        keeping.start();
        housekeeping = keeping;
        LOG.infof("edge-node %s%s: central=%s signing key %s, %d trusted key(s), methods %s, shellCommand may run %s, via %s,"
                + " inbox %s", name, central ? " (the central: keeps the node list and the error log)" : "", config.central(),
                keys.own().fingerprint(), signatures.trustedFingerprints().size(), methods.keySet().stream().sorted().toList(),
                config.shell().allow().orElse(List.of()), delivery.kind(), reading.file());
    }

    @Override
    public void stop(Duration drain) {
        EdgeNode receiving = node;
        EdgeSender sending = sender;
        Hellos saying = hellos;
        Inbox reading = inbox;
        Rollouts rolling = rollouts;
        Housekeeping keeping = housekeeping;
        housekeeping = null;
        if (keeping != null) {
            keeping.close();
        }
        inbox = null;
        rollouts = null;
        node = null;
        sender = null;
        hellos = null;
        registry = null;
        errorLog = null;
        if (reading != null) {
            reading.close();
        }
        if (rolling != null) {
            rolling.close();
        }
        if (saying != null) {
            saying.close();
        }
        if (receiving != null) {
            receiving.close();
            for (EdgeMethod method : methodBeans) {
                method.stopRunning(); // a command still running ends now (INTERRUPTED) rather than outliving the node
            }
        }
        if (sending != null) {
            sending.close();
        }
    }

    /**
     * Sends the steward JSON (one message object or an array), from the API or the inbox file: one stored, signed copy
     * per recipient. Returns them; an invalid body is an {@link ApiException} 400 and sends nothing.
     */
    public List<EdgeMessage> submit(JsonNode body) {
        sender();
        return submissions.submit(body);
    }

    /** {@link #submit(JsonNode)} under an idempotency key: a repeat gets the first request's messages (Submissions). */
    public Submissions.Outcome submit(JsonNode body, String idempotencyKey) {
        sender();
        return submissions.submit(body, idempotencyKey);
    }

    /** The rollouts of this node; 503 while the role is not running. */
    public Rollouts rollouts() {
        sender();
        Rollouts running = rollouts;
        if (running == null) {
            throw new ApiException(503, "edge_not_running", "the edge-node role is not running (yet)");
        }
        return running;
    }

    /** Checks and stores a rollout (its message is checked as a message to its first node); the waves follow. */
    public RolloutStore.Rollout startRollout(JsonNode body) {
        RolloutRequest request = RolloutRequest.parse(body, this::knownNodes);
        EdgeMessage sample = submissions.checkRolloutMessage(request.message(), request.nodes().getFirst());
        return rollouts().create(request.message(), sample.method(), sample.kind().name(), request.nodes(), request.waveSize(),
                request.maxFailures());
    }

    /** Fires a domain event of the node, the sender or the hellos; an observer's failure is logged, not passed on. */
    private void fire(DomainEvent event) {
        try {
            domainEvents.fire(event);
        } catch (RuntimeException e) {
            LOG.warnf("domain event %s not handled: %s", event.type(), e.toString());
        }
    }

    /** The sending side, for the API; 503 while the role is not running. */
    public EdgeSender sender() {
        EdgeSender running = sender;
        if (running == null) {
            throw new ApiException(503, "edge_not_running", "the edge-node role is not running (yet)");
        }
        return running;
    }

    /** The node list, on the central; 409 elsewhere (it lives on the central). */
    public NodeRegistry registry() {
        sender();
        NodeRegistry nodes = registry;
        if (nodes == null) {
            throw new ApiException(409, "not_central", "the node list is kept by the central (" + config.central()
                    + "); ask it");
        }
        return nodes;
    }

    private double nodesOnline() {
        NodeRegistry nodes = registry;
        try {
            return nodes == null ? 0 : nodes.list().stream().filter(NodeRegistry.Node::online).count();
        } catch (RuntimeException e) {
            return Double.NaN; // the database is away: no number rather than a wrong one
        }
    }

    /** The error log, on the central; 409 elsewhere. */
    public ErrorLog errorLog() {
        sender();
        ErrorLog log = errorLog;
        if (log == null) {
            throw new ApiException(409, "not_central", "the error log is kept by the central (" + config.central() + "); ask it");
        }
        return log;
    }

    /** Sends a signed errorLog event to the central (stored durably like every message; not in the message log). */
    private void reportError(CommandSignatures signatures, String self, String centralName, String failedAt, String messageId,
            String method, EdgeError error, String text) {
        ErrorLog local = errorLog;
        if (local != null && centralName.equals(self)) {
            // the central's own reports go straight to its log: a mass expiry must not queue behind real events
            local.add(failedAt, messageId, method, error.code(), ErrorLogMethod.printable(text), java.time.Instant.now());
            return;
        }
        EdgeMessage event = signatures.sign(new EdgeMessage(java.util.UUID.randomUUID().toString(), self, centralName,
                EdgeMessage.Kind.event, ErrorLogMethod.NAME, ErrorLogMethod.data(failedAt, messageId, method, error, text),
                Duration.ofSeconds(30), java.time.Instant.now().plus(config.maxTtl()), Optional.empty(), Optional.empty()));
        delivery.publish(EdgeStreams.MESSAGES, new Outgoing(event.subject(), Map.of(), EdgeWire.write(event),
                Optional.of("err-" + messageId + "-" + failedAt)));
    }

    /** Names of the known nodes, or empty when this node is not the central. */
    public Optional<List<String>> knownNodes() {
        NodeRegistry nodes = registry;
        return nodes == null ? Optional.empty() : Optional.of(nodes.list().stream().map(NodeRegistry.Node::name).toList());
    }

    /**
     * The edge name of a node: its name when it is one subject token, else with every other character as {@code -}
     * (a host name {@code ship1.example.net} is node {@code ship1-example-net}).
     */
    static String nodeName(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' ? c : '-');
        }
        String token = out.length() > Subjects.MAX_TOKEN ? out.substring(0, Subjects.MAX_TOKEN) : out.toString();
        return token.isEmpty() ? "node" : token;
    }
}
