package io.netwarden.registry.store;

import io.netwarden.registry.description.DeviceDescription;
import io.netwarden.registry.ssdp.SsdpMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the registry keeps what it admitted: one service per USN, seen by one or more registry instances.
 *
 * <pre>
 *   register(advertisement, tag, device, instance) ─▶ new USN: REGISTERED │ LOCATION or BOOTID changed (the device
 *        restarted or moved): UPDATED │ else RENEWED; this instance's sighting renewed either way; a known USN from
 *        another address: CONFLICT, nothing changed; new or changed without a description: DESCRIPTION_NEEDED
 *   withdraw(usn, address, instance)  a byebye from the registered address: this instance no longer sees it ─▶ gone
 *                            when no instance sees it
 *   expire(now)              sightings past their max-age end ─▶ the services no instance sees any more are gone
 *   withdrawStale(instance, t) its sightings not renewed since t end (a resync after its restart) ─▶ the same
 *   removeUrn(urn)           its URN left the whitelist ─▶ gone for every instance
 *   retag(urn, tag)          its URN's term has a new tag ─▶ the services carry it
 *   recordHealth(target, ok)  a probe of a LOCATION ─▶ its services passing │ critical (since the first failure)
 *   removeCritical(before)   services critical for too long ─▶ gone for every instance
 * </pre>
 *
 * Implementations are thread-safe and safe for several registry instances writing at once.
 */
public interface ServiceStore {

    /** What an advertisement changed. */
    enum Change {
        REGISTERED, UPDATED, RENEWED,
        /** A new USN beyond the store's limits (in all, or from its address): nothing stored. */
        REFUSED,
        /**
         * A known USN announced from another address than the one it is registered with: nothing changed (anyone on the
         * LAN could claim a USN; a device that really moved registers anew once the old registration lapses or says
         * byebye).
         */
        CONFLICT,
        /**
         * A new USN, or a known one that moved or restarted, and no device description given: nothing written; register
         * again with the description.
         */
        DESCRIPTION_NEEDED
    }

    /**
     * Registers or renews what {@code advertisement} announces, as seen by {@code instance}.
     *
     * @param device the device's description, fetched for a new or restarted service; empty for a renewal (a new or
     *     restarted service without one is answered {@link Change#DESCRIPTION_NEEDED})
     */
    Change register(SsdpMessage advertisement, String tag, Optional<DeviceDescription> device, String instance, Instant now);

    /**
     * What a withdrawal did.
     *
     * @param seen whether {@code instance} saw the service (a byebye for a stranger changes nothing)
     * @param removed the service as it was, when no instance sees it any more and it is gone
     */
    /**
     * @param seen this instance's sighting was ended
     * @param conflict nothing ended: the service is registered with another address
     */
    record Withdrawal(boolean seen, boolean conflict, Optional<RegisteredService> removed) {
    }

    /**
     * Removes {@code instance}'s sighting, and the service when it was the last; only when the service is registered with
     * {@code address} (a byebye from elsewhere changes nothing).
     */
    Withdrawal withdraw(String usn, String address, String instance);

    /** Ends the sightings that lapsed before {@code now}; returns the services no instance sees any more (removed). */
    List<RegisteredService> expire(Instant now);

    /**
     * Ends {@code instance}'s sightings not renewed since {@code before} (a restarted instance's resync); returns the
     * services no instance sees any more (removed).
     */
    List<RegisteredService> withdrawStale(String instance, Instant before);

    /** Removes every service of {@code urn}; returns them. */
    List<RegisteredService> removeUrn(String urn);

    /** Gives every service of {@code urn} the tag {@code tag} (its whitelist term was re-tagged); returns how many. */
    int retag(String urn, String tag);

    /** A device endpoint the health probes GET: the services registered with this LOCATION share its verdict. */
    record ProbeTarget(String location, String address) {
    }

    /** The distinct LOCATIONs of the services {@code instance} sees, at most {@code limit}, least recently probed first. */
    List<ProbeTarget> probeTargets(String instance, int limit);

    /**
     * Records a probe's verdict for every service at {@code target}: {@code passing}, or {@code critical} since the first
     * failed probe. Returns the services whose status changed (with their new status).
     */
    List<RegisteredService> recordHealth(ProbeTarget target, boolean passing, Instant now);

    /** Removes the services critical since before {@code before}; returns them. */
    List<RegisteredService> removeCritical(Instant before);

    /** Services per tag and status (for the metrics). */
    Map<List<String>, Long> countByTagAndStatus();

    /** What {@link #list} returns: each filter optional. */
    record Filter(Optional<String> tag, Optional<String> urn, Optional<String> status, Optional<String> seenBy) {
        public static final Filter ALL = new Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Services matching {@code filter}, by tag, URN and USN; {@code offset}/{@code limit} page through them. */
    List<RegisteredService> list(Filter filter, int offset, int limit);

    Optional<RegisteredService> find(String usn);
}
