package io.netwarden.platform.persistence;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.hibernate.orm.PersistenceUnit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import javax.sql.DataSource;
import org.hibernate.Session;

/**
 * Gives the rest of the code one {@link Session}: the one of whichever persistence unit {@link DatabaseSelection}
 * switched on. Inject {@code Session} and use it inside {@code @Transactional} methods. The few paths that write plain
 * JDBC for speed take the same database's connection pool from {@link #dataSource()}.
 */
@ApplicationScoped
public class ActiveDatabase {

    @Inject
    @io.quarkus.agroal.DataSource("h2")
    InjectableInstance<AgroalDataSource> h2DataSource;

    @Inject
    @io.quarkus.agroal.DataSource("postgresql")
    InjectableInstance<AgroalDataSource> postgresqlDataSource;

    @Produces
    @ApplicationScoped
    Session session(@PersistenceUnit("h2") InjectableInstance<Session> h2,
            @PersistenceUnit("postgresql") InjectableInstance<Session> postgresql) {
        if (postgresql.getHandle().getBean().isActive()) {
            return postgresql.get();
        }
        return h2.get();
    }

    /** The pool of the database in use. Connections from it outside a JTA transaction start in auto-commit mode. */
    public DataSource dataSource() {
        if (postgresqlDataSource.getHandle().getBean().isActive()) {
            return postgresqlDataSource.get();
        }
        return h2DataSource.get();
    }
}
