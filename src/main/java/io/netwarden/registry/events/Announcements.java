package io.netwarden.registry.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netwarden.platform.export.DomainEvent;
import io.netwarden.platform.messaging.Messaging;
import io.netwarden.platform.messaging.Subjects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A registry instance's registrations told on the bus, for whoever aggregates them (another instance, a dashboard, a
 * raw NATS subscriber):
 *
 * <pre>
 *   ServiceRegistered │ ServiceUpdated │ ServiceDeregistered
 *     ─▶ registry.events.&lt;instance&gt;   {"type":"service-registered", "instance", …the event's fields}
 * </pre>
 *
 * On NATS when {@code netwarden.nats.url} is set, on the in-process bus otherwise. Fire and forget: a message that cannot
 * go out (NATS down and its reconnect buffer full) is counted and logged, and the registration stands. Thread safe: the
 * messaging is, and the counter is atomic.
 */
public final class Announcements implements Consumer<DomainEvent> {

    private static final Logger LOG = Logger.getLogger(Announcements.class);
    /** The subject prefix; the instance's name is the last token. */
    public static final String PREFIX = "registry.events.";

    private final Messaging messaging;
    private final ObjectMapper json;
    private final String instance;
    private final String subject;
    private final AtomicLong lost = new AtomicLong();

    /**
     * @param instance the registry instance (its node name), as the events' {@code seenBy} names it
     */
    public Announcements(Messaging messaging, ObjectMapper json, String instance) {
        this.messaging = messaging;
        this.json = json;
        this.instance = instance;
        this.subject = PREFIX + token(instance);
    }

    /** The subject this instance announces on. */
    public String subject() {
        return subject;
    }

    /** Messages that could not be published since the start. */
    public long lost() {
        return lost.get();
    }

    /**
     * The instance name as one subject token: kept when it is one, otherwise each character outside letters, digits,
     * {@code _} and {@code -} (a host name's dots) replaced by {@code _}, at most {@value Subjects#MAX_TOKEN} characters.
     */
    static String token(String instance) {
        StringBuilder token = new StringBuilder(Math.min(instance.length(), Subjects.MAX_TOKEN));
        for (int i = 0; i < instance.length() && token.length() < Subjects.MAX_TOKEN; i++) {
            char c = instance.charAt(i);
            token.append(Subjects.isTokenChar(c) ? c : '_');
        }
        return token.isEmpty() ? "_" : token.toString();
    }

    @Override
    public void accept(DomainEvent event) {
        byte[] body;
        try {
            ObjectNode message = json.createObjectNode();
            message.put("type", event.type());
            message.put("instance", instance);
            message.setAll((ObjectNode) json.valueToTree(event));
            body = json.writeValueAsBytes(message);
        } catch (Exception e) {
            LOG.warnf("registry: %s event not announced (%s)", event.type(), e.getClass().getSimpleName());
            return;
        }
        try {
            messaging.publish(subject, body);
        } catch (RuntimeException e) {
            long count = lost.incrementAndGet();
            if (count == 1 || Long.bitCount(count) == 1) { // the 1st, 2nd, 4th … loss: the log says it without flooding
                LOG.warnf("registry: announcements on %s not published (%s); %d lost so far, registrations unaffected",
                        subject, e.getClass().getSimpleName(), count);
            }
        }
    }
}
