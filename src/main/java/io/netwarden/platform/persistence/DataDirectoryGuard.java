package io.netwarden.platform.persistence;

import io.netwarden.platform.config.NetwardenConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Protects the data directory ({@link DataDirectory}) before anything writes into it, and says so in the log.
 *
 * <p>Why a config source factory: the embedded H2 database is opened by Flyway while Quarkus starts, before any
 * application bean runs; reading the configuration is the one step of ours that comes earlier. The factory contributes
 * no configuration. What it found is logged once logging is set up, at start-up; that second look also tightens the
 * files the database created during the start.
 */
@ApplicationScoped
public class DataDirectoryGuard implements ConfigSourceFactory {

    private static final Logger LOG = Logger.getLogger(DataDirectoryGuard.class);
    private static volatile DataDirectory.Report early;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue(DatabaseSelection.DATA_DIR);
        String dir = value == null || value.getValue() == null || value.getValue().isBlank() ? "./data" : value.getValue().strip();
        DataDirectory.Report report = DataDirectory.prepare(Path.of(dir));
        if (early == null || !report.tightened().isEmpty() || report.created()) {
            early = report;
        }
        return List.of();
    }

    void onStart(@Observes @Priority(10) StartupEvent event, NetwardenConfig config) {
        DataDirectory.Report first = early;
        if (first != null && first.created()) {
            LOG.infof("data directory %s created (mode 700)", first.directory());
        } else if (first != null && !first.tightened().isEmpty()) {
            LOG.warnf("data directory %s was open to other users; tightened to 700 (directories) and 600 (files): %s",
                    first.directory(), summary(first.tightened()));
        }
        DataDirectory.Report now = DataDirectory.prepare(config.dataDir());
        if (!now.tightened().isEmpty()) {
            LOG.debugf("data directory %s: files created during start-up tightened: %s", now.directory(), summary(now.tightened()));
        }
    }

    private static String summary(List<String> paths) {
        return paths.size() <= 10 ? String.join(", ", paths) : String.join(", ", paths.subList(0, 10)) + " and " + (paths.size() - 10) + " more";
    }
}
