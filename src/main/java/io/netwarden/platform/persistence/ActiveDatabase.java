package io.netwarden.platform.persistence;

import io.quarkus.arc.InjectableInstance;
import io.quarkus.hibernate.orm.PersistenceUnit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.hibernate.Session;

/**
 * Gives the rest of the code one {@link Session}: the one of whichever persistence unit {@link DatabaseSelection}
 * switched on. Inject {@code Session} and use it inside {@code @Transactional} methods.
 */
@ApplicationScoped
public class ActiveDatabase {

    @Produces
    @ApplicationScoped
    Session session(@PersistenceUnit("h2") InjectableInstance<Session> h2,
            @PersistenceUnit("postgresql") InjectableInstance<Session> postgresql) {
        if (postgresql.getHandle().getBean().isActive()) {
            return postgresql.get();
        }
        return h2.get();
    }
}
