package io.netwarden.platform.logging;

import io.netwarden.platform.NodeIdentity;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Reads and changes logger levels at run time (CN-Infra's log manager). A change takes effect at once for every thread.
 * Loggers whose level was set here are held strongly, so the setting survives until changed again.
 */
@ApplicationScoped
public class LogLevels {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LogLevels.class);

    /** The root logger's name in paths, since an empty path segment is impossible. */
    public static final String ROOT = "ROOT";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,254}");
    static final List<String> LEVELS = List.of("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");

    /**
     * Loggers that can print what a request or a row carried — SQL parameter values, entities, driver errors quoting
     * them, pgjdbc's wire trace — and so credentials. Each keeps the level given here (set in application.properties as
     * their own level, so a change of ROOT or a parent does not reach them); the API refuses to make one of them, or a
     * logger below it, more verbose.
     */
    static final Map<String, Level> FIXED = Map.of(
            // all of Hibernate: below INFO it prints bound values and whole entities (credentials among them)
            "org.hibernate", org.jboss.logmanager.Level.INFO,
            "org.hibernate.engine.jdbc.spi.SqlExceptionHelper", Level.OFF,
            "org.postgresql", org.jboss.logmanager.Level.INFO,
            "org.h2", org.jboss.logmanager.Level.INFO,
            "h2database", org.jboss.logmanager.Level.INFO);

    /** One logger: its own level (null: inherited) and the level in effect. */
    public record LoggerLevel(String name, String level, String effectiveLevel) {
    }

    @Inject
    Event<LogLevelChanged> changed;

    @Inject
    NodeIdentity node;

    private final Map<String, Logger> pinned = new ConcurrentHashMap<>();

    /** The root logger first, then every other logger by name. */
    public List<LoggerLevel> all() {
        List<LoggerLevel> named = new ArrayList<>();
        for (String name : Collections.list(LogManager.getLogManager().getLoggerNames())) {
            Logger logger = name.isEmpty() ? null : LogManager.getLogManager().getLogger(name);
            if (logger != null) {
                named.add(view(logger));
            }
        }
        named.sort(Comparator.comparing(LoggerLevel::name));
        List<LoggerLevel> result = new ArrayList<>(named.size() + 1);
        result.add(view(Logger.getLogger("")));
        result.addAll(named);
        return result;
    }

    public LoggerLevel get(String name) {
        return view(existing(name).orElseThrow(() -> ApiException.notFound("no logger named '" + name
                + "' has been created yet; PUT sets a level for it anyway")));
    }

    /**
     * Sets a level ({@code null} resets to inheriting the parent's), logs who changed what, fires {@link LogLevelChanged}.
     */
    public LoggerLevel set(String name, String requested) {
        String internal = internalName(name);
        Level level = parse(requested);
        if (level == null && internal.isEmpty()) {
            throw ApiException.badRequest("invalid_level", "the root logger needs a level; one of " + String.join(", ", LEVELS));
        }
        refuseIfFixed(internal, level);
        Logger logger = Logger.getLogger(internal);
        String previous = logger.getLevel() == null ? null : logger.getLevel().getName();
        logger.setLevel(level);
        if (level == null) {
            pinned.remove(internal);
        } else {
            pinned.put(internal, logger);
        }
        String now = level == null ? null : level.getName();
        LOG.infof("log level of %s changed from %s to %s", displayName(internal), previous == null ? "inherited" : previous,
                now == null ? "inherited" : now);
        changed.fire(new LogLevelChanged(displayName(internal), now, previous, node.name()));
        return view(logger);
    }

    private static void refuseIfFixed(String internal, Level level) {
        for (Map.Entry<String, Level> fixed : FIXED.entrySet()) {
            String protectedName = fixed.getKey();
            boolean covered = internal.equals(protectedName) || internal.startsWith(protectedName + ".");
            if (covered && (level == null || level.intValue() < fixed.getValue().intValue())) {
                throw ApiException.badRequest("protected_logger", protectedName + " can print credentials (bound SQL values,"
                        + " whole entities, driver messages quoting values); it stays at " + fixed.getValue().getName() + " or quieter");
            }
        }
    }

    /** JBoss LogManager's {@code getLogger} creates loggers on demand, so ask its log context instead. */
    private Optional<Logger> existing(String name) {
        return Optional.ofNullable(org.jboss.logmanager.LogContext.getLogContext().getLoggerIfExists(internalName(name)));
    }

    private static String internalName(String name) {
        if (name == null || name.equalsIgnoreCase(ROOT)) {
            return "";
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid_logger", "logger names are dotted identifiers (letters, digits, _ $ - .), "
                    + "at most 255 characters; use " + ROOT + " for the root logger");
        }
        return name;
    }

    private static String displayName(String internal) {
        return internal.isEmpty() ? ROOT : internal;
    }

    static Level parse(String requested) {
        if (requested == null) {
            return null;
        }
        String upper = requested.strip().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "OFF" -> Level.OFF;
            case "ALL" -> Level.ALL;
            case "FATAL" -> org.jboss.logmanager.Level.FATAL;
            case "ERROR" -> org.jboss.logmanager.Level.ERROR;
            case "WARN", "WARNING" -> org.jboss.logmanager.Level.WARN;
            case "INFO" -> org.jboss.logmanager.Level.INFO;
            case "DEBUG" -> org.jboss.logmanager.Level.DEBUG;
            case "TRACE" -> org.jboss.logmanager.Level.TRACE;
            default -> throw ApiException.badRequest("invalid_level", "unknown level"
                    + (Inputs.quotable(requested, 16) ? " '" + requested + "'" : "")
                    + "; one of " + String.join(", ", LEVELS) + ", or null to inherit");
        };
    }

    private static LoggerLevel view(Logger logger) {
        Level own = logger.getLevel();
        Logger current = logger;
        while (current.getLevel() == null && current.getParent() != null) {
            current = current.getParent();
        }
        Level effective = current.getLevel();
        return new LoggerLevel(displayName(logger.getName()), own == null ? null : own.getName(),
                effective == null ? null : effective.getName());
    }
}
