package io.netwarden.edge.rollouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Staged rollouts (what AWS IoT Jobs calls a rollout config): one message sent to many nodes in waves, each wave only
 * when the ones before it ended within the failure budget.
 *
 * <pre>
 *   start(template, nodes, waveSize, maxFailures) ─▶ stored: nodes in order, node i in wave i / waveSize
 *   every interval, per running rollout:
 *     failures (failed │ expired, all waves so far) > maxFailures ─▶ failed (the rest is never sent)
 *     current wave: nodes without a message ─▶ message id assigned (once) ─▶ sent (stored, signed, durable)
 *                   every message ended ─▶ next wave │ none left ─▶ succeeded
 *   abort ─▶ aborted: nothing more is sent; messages already sent go on
 * </pre>
 *
 * All state is in the database, so a restarted process goes on where it stopped (a message id is assigned before the
 * message is sent, and sent when the message log does not have it yet). Thread safety: one virtual thread advances;
 * the store guards every transition.
 */
public final class Rollouts implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Rollouts.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sends the rollout's message to one node under a given id, unless a message of that id was stored already. */
    @FunctionalInterface
    public interface Sending {
        void send(JsonNode template, String node, String messageId);
    }

    private final RolloutStore store;
    private final Sending sending;
    private final Duration interval;
    private final Clock clock;
    private Thread advancer;

    public Rollouts(RolloutStore store, Sending sending, Duration interval, Clock clock) {
        this.store = store;
        this.sending = sending;
        this.interval = interval;
        this.clock = clock;
    }

    public RolloutStore store() {
        return store;
    }

    public synchronized void start() {
        if (advancer == null) {
            advancer = Thread.ofVirtual().name("edge-rollouts").start(this::run);
        }
    }

    @Override
    public synchronized void close() {
        if (advancer != null) {
            advancer.interrupt();
            advancer = null;
        }
    }

    /** Stores a new rollout; its first wave goes out in the next round. */
    public RolloutStore.Rollout create(JsonNode template, String method, String kind, List<String> nodes, int waveSize,
            int maxFailures) {
        int waves = (nodes.size() + waveSize - 1) / waveSize;
        RolloutStore.Rollout rollout = new RolloutStore.Rollout(UUID.randomUUID().toString(), template.toString(), method, kind,
                waveSize, maxFailures, waves, 0, "running", null, clock.instant(), null);
        store.create(rollout, nodes);
        LOG.infof("rollout %s: %s to %d node(s) in %d wave(s) of %d, at most %d failure(s)", rollout.id(), method,
                nodes.size(), waves, waveSize, maxFailures);
        return rollout;
    }

    /** Stops a running rollout; false when it is not running. */
    public boolean abort(String id) {
        boolean aborted = store.finish(id, "aborted", "aborted by request; messages already sent go on", clock.instant());
        if (aborted) {
            LOG.infof("rollout %s aborted", id);
        }
        return aborted;
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                advance();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("rollouts: %s", e.getMessage());
            }
        }
    }

    /** One round over every running rollout. */
    void advance() {
        for (String id : store.running()) {
            try {
                store.find(id).ifPresent(this::advance);
            } catch (RuntimeException e) {
                LOG.warnf("rollout %s: %s; tried again", id, e.getMessage());
            }
        }
    }

    private void advance(RolloutStore.Rollout rollout) {
        int failures = store.failures(rollout.id());
        if (failures > rollout.maxFailures()) {
            String reason = failures + " node(s) failed, more than maxFailures " + rollout.maxFailures()
                    + "; the waves after wave " + (rollout.wave() + 1) + " are not sent";
            if (store.finish(rollout.id(), "failed", reason, clock.instant())) {
                LOG.warnf("rollout %s failed: %s", rollout.id(), reason);
            }
            return;
        }
        List<RolloutStore.Node> wave = store.nodes(rollout.id(), rollout.wave());
        JsonNode template = null;
        boolean open = false;
        for (RolloutStore.Node node : wave) {
            String messageId = node.messageId();
            if (messageId == null) {
                messageId = UUID.randomUUID().toString();
                if (!store.assign(rollout.id(), node.node(), messageId)) {
                    open = true; // another round assigned it meanwhile
                    continue;
                }
            }
            if (node.messageId() == null || node.status().equals("sending")) {
                template = template == null ? parse(rollout) : template;
                sending.send(template, node.node(), messageId);
                open = true;
            } else if (node.status().equals("pending") || node.status().equals("delivered")) {
                open = true;
            }
        }
        if (open) {
            return;
        }
        if (rollout.wave() + 1 < rollout.waves()) {
            if (store.nextWave(rollout.id(), rollout.wave())) {
                LOG.infof("rollout %s: wave %d of %d done (%d failure(s) so far); next wave", rollout.id(), rollout.wave() + 1,
                        rollout.waves(), failures);
            }
        } else if (store.finish(rollout.id(), "succeeded", failures + " failure(s) within the budget of "
                + rollout.maxFailures(), clock.instant())) {
            LOG.infof("rollout %s succeeded: %d wave(s), %d failure(s)", rollout.id(), rollout.waves(), failures);
        }
    }

    private static JsonNode parse(RolloutStore.Rollout rollout) {
        try {
            return JSON.readTree(rollout.template());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored message of rollout " + rollout.id() + " cannot be read");
        }
    }

    public Optional<RolloutStore.Rollout> find(String id) {
        return store.find(id);
    }
}
