package io.netwarden.registry.services;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.registry.events.ServiceDeregistered;
import io.netwarden.registry.events.ServiceRegistered;
import io.netwarden.registry.events.ServiceUpdated;
import io.netwarden.registry.ssdp.SsdpMessage;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import io.netwarden.registry.whitelist.SearchTerms;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * What one registry instance does with the advertisements it reads:
 *
 * <pre>
 *   alive │ update │ answer to M-SEARCH ─ target URN whitelisted? ─ no ─▶ NOT_WHITELISTED (counted, nothing stored)
 *        └ yes, under its tag ─▶ store.register ─▶ REGISTERED │ UPDATED (moved or restarted) │ RENEWED ─▶ events
 *   byebye ─▶ store.withdraw(usn, this instance) ─▶ DEREGISTERED when no instance sees it │ WITHDRAWN │ UNKNOWN
 *   expire() (every second)  ─▶ sightings past max-age end ─▶ ServiceDeregistered(expired)
 *   resync(started)          ─▶ this instance's sightings from before its start that nothing renewed end
 *   removeTerm(urn)          ─▶ its services go ─▶ ServiceDeregistered(term-removed)
 * </pre>
 *
 * Thread safety: immutable; the store and the whitelist are thread-safe.
 */
public final class Registrations {

    private static final Logger LOG = Logger.getLogger(Registrations.class);

    /** What an advertisement did. */
    public enum Outcome {
        REGISTERED, UPDATED, RENEWED,
        /** A byebye: this instance no longer sees it, another one still does. */
        WITHDRAWN,
        /** A byebye, and no instance sees it any more: it is gone. */
        DEREGISTERED,
        NOT_WHITELISTED,
        /** A byebye for a service this instance does not see. */
        UNKNOWN
    }

    private final ServiceStore store;
    private final SearchTerms whitelist;
    private final String instance;
    private final Clock clock;
    private final Consumer<DomainEvent> events;

    /** @param instance this registry instance's name, as {@code seenBy} shows it */
    public Registrations(ServiceStore store, SearchTerms whitelist, String instance, Clock clock, Consumer<DomainEvent> events) {
        this.store = store;
        this.whitelist = whitelist;
        this.instance = instance;
        this.clock = clock;
        this.events = events;
    }

    public ServiceStore store() {
        return store;
    }

    public Outcome handle(SsdpMessage message) {
        Instant now = clock.instant();
        if (message.kind() == SsdpMessage.Kind.BYEBYE) {
            ServiceStore.Withdrawal withdrawal = store.withdraw(message.usn(), instance);
            withdrawal.removed().ifPresent(s -> deregistered(s, "byebye", now));
            return !withdrawal.seen() ? Outcome.UNKNOWN : withdrawal.removed().isPresent() ? Outcome.DEREGISTERED
                    : Outcome.WITHDRAWN;
        }
        Optional<String> tag = whitelist.tagOf(message.target());
        if (tag.isEmpty()) {
            return Outcome.NOT_WHITELISTED;
        }
        if (message.maxAgeDefaulted()) {
            LOG.warnf("service %s from %s: no readable CACHE-CONTROL max-age; taken as %s", message.usn(),
                    message.source().getHostAddress(), io.netwarden.registry.ssdp.SsdpParser.DEFAULT_MAX_AGE);
        }
        String location = message.location().orElseThrow().toString();
        return switch (store.register(message, tag.get(), instance, now)) {
            case REGISTERED -> {
                LOG.infof("service registered: usn=%s tag=%s location=%s", message.usn(), tag.get(), location);
                events.accept(new ServiceRegistered(message.usn(), message.target(), tag.get(), location, instance, now));
                yield Outcome.REGISTERED;
            }
            case UPDATED -> {
                LOG.infof("service updated (moved or restarted): usn=%s tag=%s location=%s", message.usn(), tag.get(), location);
                events.accept(new ServiceUpdated(message.usn(), message.target(), tag.get(), location, instance, now));
                yield Outcome.UPDATED;
            }
            case RENEWED -> Outcome.RENEWED;
        };
    }

    /** Ends what lapsed; returns the services no instance sees any more. */
    public List<RegisteredService> expire() {
        Instant now = clock.instant();
        List<RegisteredService> gone = store.expire(now);
        gone.forEach(s -> deregistered(s, "expired", now));
        return gone;
    }

    /**
     * After this instance's start and first searches: its sightings from before {@code started} that nothing renewed
     * end (the devices left while it was down).
     */
    public List<RegisteredService> resync(Instant started) {
        List<RegisteredService> gone = store.withdrawStale(instance, started);
        Instant now = clock.instant();
        gone.forEach(s -> deregistered(s, "expired", now));
        if (!gone.isEmpty()) {
            LOG.infof("registry resync: %d service(s) seen before the restart did not answer and are gone", gone.size());
        }
        return gone;
    }

    /** The URN left the whitelist: its services go, for every instance. */
    public List<RegisteredService> removeTerm(String urn) {
        Instant now = clock.instant();
        List<RegisteredService> gone = store.removeUrn(urn);
        gone.forEach(s -> deregistered(s, "term-removed", now));
        return gone;
    }

    private void deregistered(RegisteredService service, String reason, Instant at) {
        LOG.infof("service deregistered: usn=%s tag=%s reason=%s", service.usn(), service.tag(), reason);
        events.accept(new ServiceDeregistered(service.usn(), service.urn(), service.tag(), reason, at));
    }
}
