package io.netwarden.edge.errors;

import io.netwarden.edge.methods.EdgeMethod;
import io.netwarden.platform.persistence.ActiveDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import java.time.Clock;

/** The {@code errorLog} method as a CDI bean, next to the log it writes (the other methods are in {@code EdgeMethods}). */
@ApplicationScoped
public class ErrorLogMethods {

    @Produces
    @ApplicationScoped
    @Named(ErrorLogMethod.NAME)
    EdgeMethod errorLog(ActiveDatabase database) {
        return new ErrorLogMethod(new ErrorLog(database.dataSource()), Clock.systemUTC());
    }
}
