package io.netwarden.dnc.elements;

import io.netwarden.dnc.Durations;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.auth.Secret;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * Network elements: validation, storage and the targets agents connect to. Every write validates the whole element
 * (an SNMP target is actually built), so a stored element is always usable. Credentials never leave as text.
 */
@ApplicationScoped
public class Elements {

    private static final Logger LOG = Logger.getLogger(Elements.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_RETRIES = 1;
    static final int DEFAULT_MAX_REPETITIONS = 25;

    @Inject
    Session session;

    /** Whether a PUT created the element or replaced it. */
    public record Saved(ElementSpec element, boolean created) {
    }

    @Transactional
    public ElementSpec create(ElementSpec spec) {
        String name = requireName(spec == null ? null : spec.name());
        if (session.find(ElementEntity.class, name) != null) {
            throw ApiException.conflict("element_exists", "element '" + name + "' already exists; PUT /api/v1/elements/" + name
                    + " replaces it");
        }
        ElementEntity entity = new ElementEntity();
        entity.name = name;
        entity.createdAt = Instant.now();
        apply(entity, spec, null);
        session.persist(entity);
        LOG.infof("element %s created (%s)", name, describe(entity));
        return view(entity);
    }

    @Transactional
    public Saved put(String name, ElementSpec spec) {
        requireName(name);
        if (spec == null) {
            throw ApiException.badRequest("invalid_element", "send the element as JSON");
        }
        if (spec.name() != null && !spec.name().equals(name)) {
            throw ApiException.badRequest("invalid_element", "the name in the body ('" + spec.name()
                    + "') differs from the path ('" + name + "'); elements cannot be renamed");
        }
        ElementEntity entity = session.find(ElementEntity.class, name);
        boolean created = entity == null;
        ElementEntity previous = created ? null : copy(entity);
        if (created) {
            entity = new ElementEntity();
            entity.name = name;
            entity.createdAt = Instant.now();
        }
        apply(entity, spec, previous);
        if (created) {
            session.persist(entity);
        }
        LOG.infof("element %s %s (%s)", name, created ? "created" : "replaced", describe(entity));
        return new Saved(view(entity), created);
    }

    @Transactional
    public ElementSpec get(String name) {
        return view(require(name));
    }

    @Transactional
    public List<ElementSpec> list(int offset, int limit) {
        return session.createSelectionQuery("from ElementEntity order by name", ElementEntity.class)
                .setFirstResult(offset).setMaxResults(limit).getResultList().stream().map(Elements::view).toList();
    }

    @Transactional
    public void delete(String name) {
        session.remove(require(name));
        LOG.infof("element %s deleted", name);
    }

    /** The stored element, for dispatching jobs. */
    @Transactional
    public Optional<ElementEntity> find(String name) {
        return Optional.ofNullable(name == null ? null : session.find(ElementEntity.class, name));
    }

    private ElementEntity require(String name) {
        ElementEntity entity = name == null ? null : session.find(ElementEntity.class, name);
        if (entity == null) {
            throw new ApiException(404, "element_not_found", "no element named '" + name + "'");
        }
        return entity;
    }

    private static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid_element",
                    "name must be 1-128 characters: letters, digits, '.', '_', '-', starting with a letter or digit");
        }
        return name;
    }

    /** Copies the spec onto the entity; secrets given as {@code <secret>} or left out keep {@code previous}'s values. */
    private static void apply(ElementEntity e, ElementSpec spec, ElementEntity previous) {
        if (spec.address() == null || spec.address().isBlank() || spec.address().length() > 255
                || spec.address().chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.badRequest("invalid_element", "address is required: a host name or IP address without spaces");
        }
        e.address = spec.address().strip();
        e.vendor = limited("vendor", spec.vendor());
        e.model = limited("model", spec.model());
        if (spec.snmp() == null && spec.telnet() == null) {
            throw ApiException.badRequest("invalid_element", "an element needs snmp or telnet settings (or both)");
        }
        applySnmp(e, spec.snmp(), previous);
        applyTelnet(e, spec.telnet(), previous);
        e.updatedAt = Instant.now();
        if (e.snmpVersion != null) {
            snmpTarget(e); // validates the combination (v3 protocols, password lengths …)
        }
    }

    private static void applySnmp(ElementEntity e, ElementSpec.Snmp snmp, ElementEntity previous) {
        if (snmp == null) {
            e.snmpVersion = null;
            e.snmpPort = null;
            e.snmpCommunity = e.snmpUser = e.snmpAuthProtocol = e.snmpAuthPassword = e.snmpPrivProtocol = e.snmpPrivPassword = null;
            e.snmpTimeoutMs = e.snmpRetries = e.snmpMaxRepetitions = null;
            return;
        }
        try {
            e.snmpVersion = SnmpVersion.parse(snmp.version() == null ? "v2c" : snmp.version()).id();
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest("invalid_element", "snmp.version: " + ex.getMessage());
        }
        e.snmpPort = snmp.port() == null ? 161 : snmp.port();
        e.snmpCommunity = keep(snmp.community(), previous == null ? null : previous.snmpCommunity, "snmp.community");
        e.snmpUser = snmp.user();
        e.snmpAuthProtocol = snmp.authProtocol();
        e.snmpAuthPassword = keep(snmp.authPassword(), previous == null ? null : previous.snmpAuthPassword, "snmp.authPassword");
        e.snmpPrivProtocol = snmp.privProtocol();
        e.snmpPrivPassword = keep(snmp.privPassword(), previous == null ? null : previous.snmpPrivPassword, "snmp.privPassword");
        Duration timeout;
        try {
            timeout = Durations.parse(snmp.timeout(), DEFAULT_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(5));
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest("invalid_element", "snmp.timeout: " + ex.getMessage());
        }
        e.snmpTimeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        e.snmpRetries = snmp.retries() == null ? DEFAULT_RETRIES : snmp.retries();
        e.snmpMaxRepetitions = snmp.maxRepetitions() == null ? DEFAULT_MAX_REPETITIONS : snmp.maxRepetitions();
    }

    private static void applyTelnet(ElementEntity e, ElementSpec.Telnet telnet, ElementEntity previous) {
        if (telnet == null) {
            e.telnetPort = null;
            e.telnetUsername = e.telnetPassword = null;
            return;
        }
        int port = telnet.port() == null ? 23 : telnet.port();
        if (port < 1 || port > 65535) {
            throw ApiException.badRequest("invalid_element", "telnet.port must be 1-65535");
        }
        e.telnetPort = port;
        e.telnetUsername = limited("telnet.username", telnet.username());
        e.telnetPassword = keep(telnet.password(), previous == null ? null : previous.telnetPassword, "telnet.password");
    }

    private static String keep(Secret given, String stored, String field) {
        if (given == null) {
            return stored;
        }
        if (Secret.MASK.equals(given.reveal())) {
            if (stored == null) {
                throw ApiException.badRequest("invalid_element", field + " is '" + Secret.MASK + "', but nothing is stored to keep; "
                        + "send the actual value");
            }
            return stored;
        }
        return given.reveal();
    }

    private static String limited(String field, String value) {
        if (value != null && value.length() > 255) {
            throw ApiException.badRequest("invalid_element", field + " is longer than 255 characters");
        }
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static SnmpTarget snmpTarget(ElementEntity e) {
        try {
            return new SnmpTarget(e.address, e.snmpPort, SnmpVersion.parse(e.snmpVersion), secret(e.snmpCommunity), e.snmpUser,
                    e.snmpAuthProtocol, secret(e.snmpAuthPassword), e.snmpPrivProtocol, secret(e.snmpPrivPassword),
                    Duration.ofMillis(e.snmpTimeoutMs), e.snmpRetries, e.snmpMaxRepetitions);
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest("invalid_element", ex.getMessage());
        }
    }

    private static Secret secret(String stored) {
        return stored == null || stored.isEmpty() ? null : Secret.of(stored);
    }

    static ElementSpec view(ElementEntity e) {
        ElementSpec.Snmp snmp = e.snmpVersion == null ? null : new ElementSpec.Snmp(e.snmpPort, e.snmpVersion,
                secret(e.snmpCommunity), e.snmpUser, e.snmpAuthProtocol, secret(e.snmpAuthPassword), e.snmpPrivProtocol,
                secret(e.snmpPrivPassword), Durations.format(e.snmpTimeoutMs), e.snmpRetries, e.snmpMaxRepetitions);
        ElementSpec.Telnet telnet = e.telnetPort == null ? null
                : new ElementSpec.Telnet(e.telnetPort, e.telnetUsername, secret(e.telnetPassword));
        return new ElementSpec(e.name, e.address, e.vendor, e.model, snmp, telnet);
    }

    /** For logs: what the element speaks, never its credentials. */
    private static String describe(ElementEntity e) {
        return e.address + (e.snmpVersion == null ? "" : ", snmp " + e.snmpVersion + " port " + e.snmpPort)
                + (e.telnetPort == null ? "" : ", telnet port " + e.telnetPort);
    }

    private static ElementEntity copy(ElementEntity e) {
        ElementEntity c = new ElementEntity();
        c.snmpCommunity = e.snmpCommunity;
        c.snmpAuthPassword = e.snmpAuthPassword;
        c.snmpPrivPassword = e.snmpPrivPassword;
        c.telnetPassword = e.telnetPassword;
        return c;
    }
}
