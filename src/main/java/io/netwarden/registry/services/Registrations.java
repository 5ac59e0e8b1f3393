package io.netwarden.registry.services;

import io.netwarden.platform.export.DomainEvent;
import io.netwarden.registry.description.DescriptionException;
import io.netwarden.registry.description.DeviceDescriptions;
import io.netwarden.registry.events.ServiceDeregistered;
import io.netwarden.registry.events.ServiceRegistered;
import io.netwarden.registry.events.ServiceUpdated;
import io.netwarden.registry.ssdp.SsdpMessage;
import io.netwarden.registry.store.RegisteredService;
import io.netwarden.registry.store.ServiceStore;
import io.netwarden.registry.whitelist.SearchTerms;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * What one registry instance does with the advertisements it reads:
 *
 * <pre>
 *   alive │ update │ answer to M-SEARCH ─ target URN whitelisted? ─ no ─▶ NOT_WHITELISTED (counted, nothing stored)
 *        └ yes, under its tag ─▶ store.register ─▶ RENEWED │ a new one beyond the limits ─▶ REFUSED (counted, logged)
 *                                                  │ a known USN from another address ─▶ CONFLICT (counted, logged)
 *                                                  └ new, moved or restarted ─▶ its device description fetched
 *                ─ unusable ─▶ fails with a DescriptionException (counted by reason; nothing registered)
 *                └ store.register with it ─▶ REGISTERED │ UPDATED ─▶ events
 *   byebye ─▶ store.withdraw(usn, this instance) ─▶ DEREGISTERED when no instance sees it │ WITHDRAWN │ UNKNOWN
 *   expire() (every second)  ─▶ sightings past max-age end ─▶ ServiceDeregistered(expired)
 *   resync(started)          ─▶ this instance's sightings from before its start that nothing renewed end
 *   removeTerm(urn)          ─▶ its services go ─▶ ServiceDeregistered(term-removed)
 *   retag(urn, tag)          ─▶ its services carry the new tag
 *   removeCritical(before)   ─▶ services failing their health probes too long go ─▶ ServiceDeregistered(critical)
 * </pre>
 *
 * A repeat of what this instance wrote for a USN less than a quarter of its max-age (at most 30 s) ago is answered
 * RENEWED without a write: stacks send each announcement two or three times, and a flood of one valid packet costs no
 * database work. Thread safety: the store, the whitelist and the map of recent writes are thread-safe.
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
        /** A new service beyond the store's limits: nothing stored. */
        REFUSED,
        /** A known USN from another address than its registered one (an advertisement or a byebye): nothing changed. */
        CONFLICT,
        /** A byebye for a service this instance does not see. */
        UNKNOWN
    }

    private final ServiceStore store;
    private final SearchTerms whitelist;
    private final DeviceDescriptions descriptions;
    private final String instance;
    private final Clock clock;
    private final Consumer<DomainEvent> events;
    /** What this instance wrote last per USN: a repeat soon after (stacks send each announcement several times) is not written again. */
    private final Map<String, Written> recent = new ConcurrentHashMap<>();

    private record Written(String location, OptionalLong bootId, String tag, Instant at) {
    }

    /** A renewal within this (or a quarter of its max-age, if shorter) of the last write is not written. */
    static final Duration REWRITE_AFTER = Duration.ofSeconds(30);
    /** ... and never sooner than this (a max-age of 0 would otherwise make every packet a write). */
    static final Duration MIN_REWRITE_AFTER = Duration.ofSeconds(1);
    static final int MAX_RECENT = 20_000;

    /** @param instance this registry instance's name, as {@code seenBy} shows it */
    public Registrations(ServiceStore store, SearchTerms whitelist, DeviceDescriptions descriptions, String instance,
            Clock clock, Consumer<DomainEvent> events) {
        this.store = store;
        this.whitelist = whitelist;
        this.descriptions = descriptions;
        this.instance = instance;
        this.clock = clock;
        this.events = events;
    }

    public ServiceStore store() {
        return store;
    }

    /**
     * Handles one advertisement. Completes at once, except when a new or restarted service needs its device description
     * first: then when it is fetched and the service stored, or with a {@link DescriptionException} (nothing registered).
     * A store failure is thrown, or fails the future.
     */
    public CompletableFuture<Outcome> handle(SsdpMessage message) {
        Instant now = clock.instant();
        if (message.kind() == SsdpMessage.Kind.BYEBYE) {
            recent.remove(message.usn());
            ServiceStore.Withdrawal withdrawal = store.withdraw(message.usn(), message.source().getHostAddress(), instance);
            withdrawal.removed().ifPresent(s -> deregistered(s, "byebye", now));
            return CompletableFuture.completedFuture(withdrawal.conflict() ? Outcome.CONFLICT : !withdrawal.seen() ? Outcome.UNKNOWN
                    : withdrawal.removed().isPresent() ? Outcome.DEREGISTERED : Outcome.WITHDRAWN);
        }
        Optional<String> tag = whitelist.tagOf(message.target());
        if (tag.isEmpty()) {
            return CompletableFuture.completedFuture(Outcome.NOT_WHITELISTED);
        }
        String location = message.location().orElseThrow().toString();
        Written last = recent.get(message.usn());
        Duration quarter = message.maxAge().dividedBy(4);
        Duration quiet = quarter.compareTo(REWRITE_AFTER) > 0 ? REWRITE_AFTER
                : quarter.compareTo(MIN_REWRITE_AFTER) < 0 ? MIN_REWRITE_AFTER : quarter;
        if (last != null && last.location().equals(location) && last.bootId().equals(message.bootId())
                && last.tag().equals(tag.get()) && now.isBefore(last.at().plus(quiet))) {
            // the store's expiry from the last write still lies three quarters of a max-age ahead
            return CompletableFuture.completedFuture(Outcome.RENEWED);
        }
        ServiceStore.Change change = store.register(message, tag.get(), Optional.empty(), instance, now);
        if (change != ServiceStore.Change.DESCRIPTION_NEEDED) {
            return CompletableFuture.completedFuture(stored(message, tag.get(), change, now));
        }
        return descriptions.describe(message.location().orElseThrow(), message.source(), message.udn(), message.bootId())
                .thenApply(device -> {
                    Instant at = clock.instant();
                    return stored(message, tag.get(), store.register(message, tag.get(), Optional.of(device), instance, at), at);
                });
    }

    /** What a write to the store did: remembered, logged, told as events. */
    private Outcome stored(SsdpMessage message, String tag, ServiceStore.Change change, Instant now) {
        String location = message.location().orElseThrow().toString();
        if (change != ServiceStore.Change.REFUSED && change != ServiceStore.Change.CONFLICT) {
            if (recent.size() >= MAX_RECENT) {
                recent.clear();
            }
            recent.put(message.usn(), new Written(location, message.bootId(), tag, now));
        }
        return switch (change) {
            case REGISTERED -> {
                if (message.maxAgeDefaulted()) {
                    LOG.warnf("service %s from %s: no readable CACHE-CONTROL max-age; taken as %s", message.usn(),
                            message.source().getHostAddress(), io.netwarden.registry.ssdp.SsdpParser.DEFAULT_MAX_AGE);
                }
                LOG.infof("service registered: usn=%s tag=%s location=%s", message.usn(), tag, location);
                events.accept(new ServiceRegistered(message.usn(), message.target(), tag, location, instance, now));
                yield Outcome.REGISTERED;
            }
            case UPDATED -> {
                LOG.infof("service updated (moved or restarted): usn=%s tag=%s location=%s", message.usn(), tag, location);
                events.accept(new ServiceUpdated(message.usn(), message.target(), tag, location, instance, now));
                yield Outcome.UPDATED;
            }
            case RENEWED -> Outcome.RENEWED;
            case REFUSED -> {
                LOG.warnf("service %s from %s refused: the registry holds as many services as it may (in all, or from that"
                        + " address: netwarden.registry.max-services, max-services-per-address)", message.usn(),
                        message.source().getHostAddress());
                yield Outcome.REFUSED;
            }
            case CONFLICT -> {
                LOG.warnf("service %s announced from %s, but it is registered with another address: ignored (it registers"
                        + " anew once the old registration lapses or says byebye)", message.usn(), message.source().getHostAddress());
                yield Outcome.CONFLICT;
            }
            case DESCRIPTION_NEEDED -> throw new IllegalStateException("the store asked again for a description it was given");
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

    /** Services critical since before {@code before} go, for every instance. */
    public List<RegisteredService> removeCritical(Instant before) {
        List<RegisteredService> gone = store.removeCritical(before);
        Instant now = clock.instant();
        gone.forEach(s -> {
            descriptions.forget(s.location()); // it comes back only when its LOCATION answers again
            deregistered(s, "critical", now);
        });
        return gone;
    }

    /** The URN's term has a new tag: its services carry it from now on. */
    public int retag(String urn, String tag) {
        int changed = store.retag(urn, tag);
        if (changed > 0) {
            LOG.infof("%d service(s) of %s re-tagged %s", changed, urn, tag);
        }
        return changed;
    }

    private void deregistered(RegisteredService service, String reason, Instant at) {
        recent.remove(service.usn());
        LOG.infof("service deregistered: usn=%s tag=%s reason=%s", service.usn(), service.tag(), reason);
        events.accept(new ServiceDeregistered(service.usn(), service.urn(), service.tag(), reason, at));
    }
}
