package io.netwarden.registry.services;

import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTermOverrides;
import io.netwarden.registry.whitelist.SearchTerms;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The URN whitelist as the registry runs it: the configuration's terms, changed at run time for every instance on the
 * same database.
 *
 * <pre>
 *   base: netwarden.registry.tags + registry.json ─┐
 *   overrides: registry_search_term (the API's changes, every instance's) ─┴─▶ the terms in force ─▶ SearchTerms
 *   put(term)   ─▶ stored ─▶ applied at once here (other instances within REFRESH)
 *   remove(urn) ─▶ a URN from the configuration: stored as taken off │ one the API added: its row deleted (no trace
 *                  left, so adding and removing URNs cannot grow the table) ─▶ applied
 *   applied: a URN gone ─▶ its services deregistered │ a new tag ─▶ its services re-tagged │ a new URN ─▶ searched for
 * </pre>
 *
 * Thread safety: changes and refreshes are serialised on this object; {@link SearchTerms} is read lock-free by the
 * listener.
 */
public final class Whitelist {

    private static final Logger LOG = Logger.getLogger(Whitelist.class);
    /** Terms in force at most: the searches and the database stay small. */
    public static final int MAX_TERMS = 1000;

    private final List<SearchTerm> base;
    private final SearchTermOverrides overrides;
    private final SearchTerms terms;
    private final Registrations registrations;
    private final Consumer<String> searchFor;
    private final String instance;
    private final Clock clock;

    /** Thrown when a new term would go beyond {@link #MAX_TERMS}. */
    public static final class Full extends RuntimeException {
        Full() {
            super("the whitelist holds " + MAX_TERMS + " URNs, as many as it may", null, false, false);
        }
    }

    /**
     * @param base the configuration's terms
     * @param searchFor sends an M-SEARCH for a URN newly whitelisted (does nothing when this instance does not listen)
     */
    public Whitelist(List<SearchTerm> base, SearchTermOverrides overrides, SearchTerms terms, Registrations registrations,
            Consumer<String> searchFor, String instance, Clock clock) {
        this.base = List.copyOf(base);
        this.overrides = overrides;
        this.terms = terms;
        this.registrations = registrations;
        this.searchFor = searchFor;
        this.instance = instance;
        this.clock = clock;
    }

    /** The terms in force from the configuration and the stored changes; at start, with no effect on services. */
    public synchronized void load() {
        terms.replaceAll(inForce(overrides.load()));
    }

    /** Reads the stored changes again and applies what other instances changed. */
    public synchronized void refresh() {
        apply(inForce(overrides.load()));
    }

    /** Adds {@code term}, or gives its URN a new tag; stored for every instance. */
    public synchronized void put(SearchTerm term) {
        Map<String, String> now = terms.asMap();
        if (!now.containsKey(term.urn()) && now.size() >= MAX_TERMS) {
            throw new Full();
        }
        overrides.save(term.urn(), Optional.of(term.tag()), instance, clock.instant());
        refresh();
    }

    /** Takes {@code urn} off the whitelist (its services go); false when it is not on it. */
    public synchronized boolean remove(String urn) {
        if (terms.tagOf(urn).isEmpty()) {
            return false;
        }
        if (base.stream().anyMatch(t -> t.urn().equals(urn))) {
            overrides.save(urn, Optional.empty(), instance, clock.instant());
        } else {
            overrides.forget(urn);
        }
        refresh();
        return true;
    }

    private Map<String, String> inForce(Map<String, Optional<String>> changes) {
        Map<String, String> next = new HashMap<>();
        base.forEach(t -> next.put(t.urn(), t.tag()));
        changes.forEach((urn, tag) -> {
            if (tag.isPresent()) {
                next.put(urn, tag.get());
            } else {
                next.remove(urn);
            }
        });
        return next;
    }

    private void apply(Map<String, String> next) {
        Map<String, String> before = terms.asMap();
        terms.replaceAll(next);
        before.forEach((urn, tag) -> {
            if (!next.containsKey(urn)) {
                LOG.infof("whitelist: %s (tag %s) taken off; its services deregistered", urn, tag);
                registrations.removeTerm(urn);
            }
        });
        next.forEach((urn, tag) -> {
            String was = before.get(urn);
            if (was == null) {
                LOG.infof("whitelist: %s added under tag %s", urn, tag);
                searchFor.accept(urn);
            } else if (!Objects.equals(was, tag)) {
                LOG.infof("whitelist: %s re-tagged from %s to %s", urn, was, tag);
                registrations.retag(urn, tag);
            }
        });
    }
}
