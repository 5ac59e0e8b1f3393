package io.netwarden.platform.persistence;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Chooses the database at run time from the standard {@code quarkus.datasource.jdbc.url}: unset means an H2 file under
 * the data directory, {@code jdbc:postgresql:…} means PostgreSQL, {@code jdbc:h2:…} an H2 database of the operator's
 * choosing. Anything else stops start-up with a clear message.
 *
 * <p>Why a config source: the JDBC driver and Hibernate dialect are fixed at build time per datasource, so the
 * artifact carries two (named {@code h2} and {@code postgresql}) and this factory switches exactly one of them, its
 * persistence unit and its Flyway migrations on (see docs/adr/0001-runtime-database-selection.md).
 */
public class DatabaseSelection implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String DATA_DIR = "netwarden.data-dir";

    /** The two datasources the build knows. */
    public enum Kind {
        h2, postgresql
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        try {
            return List.of(new PropertiesConfigSource(properties(value(context, URL), value(context, DATA_DIR)),
                    "netwarden database selection", 275));
        } catch (IllegalArgumentException e) {
            // reported like any other configuration error: one line, no stack trace
            throw new ConfigValidationException(new ConfigValidationException.Problem[] {
                    new ConfigValidationException.Problem(e.getMessage()) });
        }
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue().strip();
    }

    /** The datasource, persistence unit and Flyway switches for a JDBC URL (null: embedded H2). */
    static Map<String, String> properties(String url, String dataDir) {
        Kind kind = kindOf(url);
        Map<String, String> props = new HashMap<>();
        for (Kind k : Kind.values()) {
            String active = Boolean.toString(k == kind);
            props.put("quarkus.datasource." + k + ".active", active);
            props.put("quarkus.hibernate-orm." + k + ".active", active);
            props.put("quarkus.flyway." + k + ".active", active);
        }
        props.put("quarkus.datasource.h2.jdbc.url", kind == Kind.h2 && url != null ? url : embeddedH2Url(dataDir));
        if (kind == Kind.postgresql) {
            props.put("quarkus.datasource.postgresql.jdbc.url", url);
        }
        return props;
    }

    static Kind kindOf(String url) {
        if (url == null) {
            return Kind.h2;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return Kind.postgresql;
        }
        if (lower.startsWith("jdbc:h2:")) {
            return Kind.h2;
        }
        throw new IllegalArgumentException("unsupported database URL in " + URL + " (QUARKUS_DATASOURCE_JDBC_URL): "
                + "expected jdbc:postgresql://host:port/db or jdbc:h2:..., or leave it unset for the embedded H2 file"
                + " database; got a URL starting with '" + url.substring(0, Math.min(url.length(), 16)) + "'");
    }

    /**
     * H2 needs an absolute path; the data directory may be given relative to the working directory. {@code WRITE_DELAY=0}
     * writes every commit to the file before the commit returns: H2's default (500 ms of commits kept in memory) loses
     * accepted jobs when the process is killed. {@code TRACE_LEVEL_FILE=0}: no {@code .trace.db} file, which would
     * keep error texts of the driver (they can hold bound values) on disk.
     */
    static String embeddedH2Url(String dataDir) {
        Path dir = Path.of(dataDir == null ? "./data" : dataDir).toAbsolutePath().normalize();
        return "jdbc:h2:file:" + dir.resolve("db").resolve("netwarden") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
    }
}
