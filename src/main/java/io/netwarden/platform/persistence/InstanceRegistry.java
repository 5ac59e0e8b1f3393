package io.netwarden.platform.persistence;

import io.netwarden.platform.NodeIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/** Records each process start and clean stop in {@code node_instance}, so operators can see who ran against this database. */
@ApplicationScoped
public class InstanceRegistry {

    private static final Logger LOG = Logger.getLogger(InstanceRegistry.class);

    @Inject
    Session session;

    @Inject
    NodeIdentity node;

    @Transactional
    void onStart(@Observes @Priority(400) StartupEvent event) {
        NodeInstance row = new NodeInstance();
        row.instanceId = node.instance();
        row.nodeName = node.name();
        row.roles = node.roles().toString();
        row.version = node.version();
        row.startedAt = Instant.now();
        session.persist(row);
    }

    @Transactional
    void onStop(@Observes @Priority(600) ShutdownEvent event) {
        try {
            NodeInstance row = session.find(NodeInstance.class, node.instance());
            if (row != null) {
                row.stoppedAt = Instant.now();
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not record the stop of instance %s: %s", node.instance(), DatabaseErrors.safeMessage(e));
        }
    }

    /** The most recent starts, newest first. */
    @Transactional
    public List<NodeInstance> recent(int limit) {
        return session.createSelectionQuery("from NodeInstance order by startedAt desc", NodeInstance.class)
                .setMaxResults(limit).getResultList();
    }
}
