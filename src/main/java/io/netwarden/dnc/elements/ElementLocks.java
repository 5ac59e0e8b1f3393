package io.netwarden.dnc.elements;

import io.netwarden.platform.persistence.DatabaseErrors;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Lease locks on elements, in the database so every dispatcher sees the same ones. Acquiring reads the row with a
 * pessimistic write lock, so two dispatchers cannot both win; every acquisition raises the fencing token; a lease that
 * has expired counts as free. Releasing needs the holder and token that acquired it, so a late release cannot free a
 * newer lease.
 */
@ApplicationScoped
public class ElementLocks {

    private static final Logger LOG = Logger.getLogger(ElementLocks.class);

    @Inject
    Session session;

    /** A held lease. */
    public record Lease(String element, String holder, long token, Instant acquiredAt, Instant expiresAt, String reason) {

        static Lease of(ElementLockEntity row) {
            return new Lease(row.element, row.holder, row.token, row.acquiredAt, row.expiresAt, row.reason);
        }
    }

    /** The outcome of a try: the lease we got, or the one in the way. */
    public record Attempt(Optional<Lease> acquired, Optional<Lease> blocking) {
    }

    @Transactional
    public Attempt tryAcquire(String element, String holder, Duration lease, String reason) {
        Instant now = Instant.now();
        ElementLockEntity row = session.find(ElementLockEntity.class, element, LockModeType.PESSIMISTIC_WRITE);
        if (row == null) {
            createRow(element); // first lock of this element: not found leaves nothing in the session, so read again
            row = session.find(ElementLockEntity.class, element, LockModeType.PESSIMISTIC_WRITE);
        }
        if (row == null) {
            throw new IllegalStateException("the lock row of element " + element + " vanished while taking it");
        } else if (row.holder != null && row.expiresAt.isAfter(now) && !row.holder.equals(holder)) {
            return new Attempt(Optional.empty(), Optional.of(Lease.of(row)));
        } else if (row.holder != null && !row.holder.equals(holder)) {
            LOG.infof("lease of %s on element %s expired at %s; taking it over for %s", row.holder, element, row.expiresAt, holder);
        }
        if (!holder.equals(row.holder) || row.expiresAt == null || !row.expiresAt.isAfter(now)) {
            row.token++;
            row.acquiredAt = now;
        }
        row.holder = holder;
        row.expiresAt = now.plus(lease);
        row.reason = reason;
        return new Attempt(Optional.of(Lease.of(row)), Optional.empty());
    }

    /**
     * Creates the element's (free) lock row in a transaction of its own, so that every acquisition then queues on the
     * same row's lock. Two first acquisitions at once both try to insert it; the one that loses the race on the primary
     * key finds the row afterwards.
     */
    private void createRow(String element) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                if (session.find(ElementLockEntity.class, element) == null) {
                    ElementLockEntity row = new ElementLockEntity();
                    row.element = element;
                    row.token = 0;
                    session.persist(row);
                }
            });
        } catch (RuntimeException raced) {
            LOG.debugf("lock row of element %s was created by someone else meanwhile (%s)", element, DatabaseErrors.safeMessage(raced));
        }
    }

    /** Releases the lease if {@code holder} still holds it with {@code token}; true when it did. */
    @Transactional
    public boolean release(String element, String holder, long token) {
        ElementLockEntity row = session.find(ElementLockEntity.class, element, LockModeType.PESSIMISTIC_WRITE);
        if (row == null || row.holder == null || !row.holder.equals(holder) || row.token != token) {
            return false;
        }
        free(row);
        return true;
    }

    /** Frees the lock whoever holds it (operator override). True when something was held. */
    @Transactional
    public boolean forceRelease(String element) {
        ElementLockEntity row = session.find(ElementLockEntity.class, element, LockModeType.PESSIMISTIC_WRITE);
        if (row == null || row.holder == null || !row.expiresAt.isAfter(Instant.now())) {
            return false;
        }
        LOG.warnf("lock on element %s held by %s released by an operator", element, row.holder);
        free(row);
        return true;
    }

    /** The lease in force, if any (an expired one is not). */
    @Transactional
    public Optional<Lease> current(String element) {
        ElementLockEntity row = session.find(ElementLockEntity.class, element);
        return row == null || row.holder == null || !row.expiresAt.isAfter(Instant.now()) ? Optional.empty() : Optional.of(Lease.of(row));
    }

    private static void free(ElementLockEntity row) {
        row.holder = null;
        row.expiresAt = null;
        row.reason = null;
    }
}
