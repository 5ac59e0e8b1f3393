package io.netwarden.dnc.elements;

import io.netwarden.platform.api.Durations;
import io.netwarden.dnc.snmp.SnmpTarget;
import io.netwarden.dnc.snmp.SnmpVersion;
import io.netwarden.platform.api.ApiException;
import io.netwarden.platform.api.Inputs;
import io.netwarden.platform.auth.Secret;
import io.netwarden.platform.persistence.AfterCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    private static final String INVALID = "invalid_element";
    private static final Pattern VENDOR_OR_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,63}");
    /** Column widths (V2__network_element.sql); every field is checked against them before anything is stored. */
    static final int MAX_ADDRESS = 255;
    static final int MAX_VENDOR = 64;
    static final int MAX_MODEL = 64;
    static final int MAX_CREDENTIAL = 255;
    /** SNMPv3 user names are 1-32 octets (RFC 3414 usmUserName). */
    static final int MAX_SNMP_USER = 32;
    static final int MAX_PROTOCOL = 16;
    static final int MAX_USERNAME = 255;

    /** Credential fields a request sets to JSON null: the stored value is removed. */
    public static final Set<String> CLEARABLE = Set.of("snmp.community", "snmp.authPassword", "snmp.privPassword", "telnet.password");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_RETRIES = 1;
    static final int DEFAULT_MAX_REPETITIONS = 25;

    @Inject
    Session session;

    @Inject
    AfterCommit afterCommit;

    /** Whether a PUT created the element or replaced it. */
    public record Saved(ElementSpec element, boolean created) {
    }

    @Transactional
    public ElementSpec create(ElementSpec spec) {
        return create(spec, Set.of());
    }

    /** {@code cleared}: credential fields (of {@link #CLEARABLE}) the request set to null. */
    @Transactional
    public ElementSpec create(ElementSpec spec, Set<String> cleared) {
        String name = requireName(spec == null ? null : spec.name());
        if (session.find(ElementEntity.class, name) != null) {
            throw ApiException.conflict("element_exists", "element '" + name + "' already exists; PUT /api/v1/elements/" + name
                    + " replaces it");
        }
        ElementEntity entity = new ElementEntity();
        entity.name = name;
        entity.createdAt = Instant.now();
        apply(entity, spec, null, cleared);
        session.persist(entity);
        String description = describe(entity);
        afterCommit.run(() -> LOG.infof("element %s created (%s)", name, description));
        return view(entity);
    }

    @Transactional
    public Saved put(String name, ElementSpec spec) {
        return put(name, spec, Set.of());
    }

    /** {@code cleared}: credential fields (of {@link #CLEARABLE}) the request set to null: their stored values go. */
    @Transactional
    public Saved put(String name, ElementSpec spec, Set<String> cleared) {
        requireName(name);
        if (spec == null) {
            throw ApiException.badRequest("invalid_element", "send the element as JSON");
        }
        if (spec.name() != null && !spec.name().equals(name)) {
            throw ApiException.badRequest(INVALID, "the name in the body differs from the one in the path; elements cannot"
                    + " be renamed");
        }
        ElementEntity entity = session.find(ElementEntity.class, name);
        boolean created = entity == null;
        ElementEntity previous = created ? null : copy(entity);
        if (created) {
            entity = new ElementEntity();
            entity.name = name;
            entity.createdAt = Instant.now();
        }
        apply(entity, spec, previous, cleared);
        if (created) {
            session.persist(entity);
        }
        String description = describe(entity);
        afterCommit.run(() -> LOG.infof("element %s %s (%s)", name, created ? "created" : "replaced", description));
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
        afterCommit.run(() -> LOG.infof("element %s deleted", name));
    }

    /** The stored element, for dispatching jobs. */
    @Transactional
    public Optional<ElementEntity> find(String name) {
        return Optional.ofNullable(name == null ? null : session.find(ElementEntity.class, name));
    }

    private ElementEntity require(String name) {
        ElementEntity entity = name == null || name.length() > 128 ? null : session.find(ElementEntity.class, name);
        if (entity == null) {
            throw new ApiException(404, "element_not_found", name != null && NAME.matcher(name).matches()
                    ? "no element named '" + name + "'" : "no such element");
        }
        return entity;
    }

    private static String requireName(String name) {
        if (name == null || name.length() > 128 || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest(INVALID,
                    "name must be 1-128 characters: letters, digits, '.', '_', '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Copies the spec onto the entity; secrets given as {@code <secret>} or left out keep {@code previous}'s values,
     * secrets in {@code cleared} (sent as null) are removed. Every field is checked against its column first.
     */
    private static void apply(ElementEntity e, ElementSpec spec, ElementEntity previous, Set<String> cleared) {
        String address = Inputs.required(INVALID, "address", spec.address(), MAX_ADDRESS);
        if (!isAddress(address)) {
            throw ApiException.badRequest(INVALID, "address must be an IPv4 or IPv6 address (a zone after '%' allowed) or a"
                    + " host name (labels of letters, digits and '-', separated by dots); no port, no scheme");
        }
        e.address = address;
        e.vendor = vendorOrModel("vendor", spec.vendor(), MAX_VENDOR);
        e.model = vendorOrModel("model", spec.model(), MAX_MODEL);
        if (spec.snmp() == null && spec.telnet() == null) {
            throw ApiException.badRequest(INVALID, "an element needs snmp or telnet settings (or both)");
        }
        applySnmp(e, spec.snmp(), previous, cleared);
        applyTelnet(e, spec.telnet(), previous, cleared);
        e.updatedAt = Instant.now();
        if (e.snmpVersion != null) {
            snmpTarget(e); // validates the combination (v3 protocols, password lengths …)
        }
    }

    private static void applySnmp(ElementEntity e, ElementSpec.Snmp snmp, ElementEntity previous, Set<String> cleared) {
        if (snmp == null) {
            e.snmpVersion = null;
            e.snmpPort = null;
            e.snmpCommunity = e.snmpUser = e.snmpAuthProtocol = e.snmpAuthPassword = e.snmpPrivProtocol = e.snmpPrivPassword = null;
            e.snmpTimeoutMs = e.snmpRetries = e.snmpMaxRepetitions = null;
            return;
        }
        String versionText = Inputs.text(INVALID, "snmp.version", snmp.version(), 8);
        SnmpVersion version;
        try {
            version = SnmpVersion.parse(versionText == null ? "v2c" : versionText);
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(INVALID, "snmp.version must be v1, v2c or v3");
        }
        e.snmpVersion = version.id();
        int port = snmp.port() == null ? 161 : snmp.port();
        if (port < 1 || port > 65535) {
            throw ApiException.badRequest(INVALID, "snmp.port must be 1-65535");
        }
        e.snmpPort = port;
        // a stored credential is never sent to another address or port than the one it was given for
        boolean retargeted = previous != null && (!e.address.equals(previous.address) || !Integer.valueOf(port).equals(previous.snmpPort));
        if (version == SnmpVersion.V3) {
            // a switch to v3 leaves no community behind
            if (snmp.community() != null && !cleared.contains("snmp.community")) {
                throw ApiException.badRequest(INVALID, "snmp.community is for v1 and v2c; v3 uses snmp.user, authPassword"
                        + " and privPassword");
            }
            e.snmpCommunity = null;
            e.snmpUser = Inputs.text(INVALID, "snmp.user", snmp.user(), MAX_SNMP_USER);
            e.snmpAuthProtocol = Inputs.text(INVALID, "snmp.authProtocol", snmp.authProtocol(), MAX_PROTOCOL);
            e.snmpAuthPassword = keep(snmp.authPassword(), previous == null ? null : previous.snmpAuthPassword,
                    "snmp.authPassword", cleared, retargeted);
            e.snmpPrivProtocol = Inputs.text(INVALID, "snmp.privProtocol", snmp.privProtocol(), MAX_PROTOCOL);
            e.snmpPrivPassword = keep(snmp.privPassword(), previous == null ? null : previous.snmpPrivPassword,
                    "snmp.privPassword", cleared, retargeted);
        } else {
            // and a switch to v1/v2c leaves no v3 user or passwords behind
            for (Object v3Field : new Object[] {snmp.user(), snmp.authProtocol(), snmp.authPassword(), snmp.privProtocol(),
                    snmp.privPassword()}) {
                if (v3Field != null) {
                    throw ApiException.badRequest(INVALID, "snmp.user, authProtocol, authPassword, privProtocol and"
                            + " privPassword are for v3; " + version.id() + " uses snmp.community");
                }
            }
            e.snmpUser = e.snmpAuthProtocol = e.snmpAuthPassword = e.snmpPrivProtocol = e.snmpPrivPassword = null;
            e.snmpCommunity = keep(snmp.community(), previous == null ? null : previous.snmpCommunity, "snmp.community", cleared,
                    retargeted);
        }
        Duration timeout;
        try {
            timeout = Durations.parse(Inputs.text(INVALID, "snmp.timeout", snmp.timeout(), 32), DEFAULT_TIMEOUT,
                    Duration.ofMillis(1), Duration.ofMinutes(5));
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(INVALID, "snmp.timeout: " + ex.getMessage());
        }
        e.snmpTimeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        e.snmpRetries = snmp.retries() == null ? DEFAULT_RETRIES : snmp.retries();
        e.snmpMaxRepetitions = snmp.maxRepetitions() == null ? DEFAULT_MAX_REPETITIONS : snmp.maxRepetitions();
    }

    private static void applyTelnet(ElementEntity e, ElementSpec.Telnet telnet, ElementEntity previous, Set<String> cleared) {
        if (telnet == null) {
            e.telnetPort = null;
            e.telnetUsername = e.telnetPassword = null;
            return;
        }
        int port = telnet.port() == null ? 23 : telnet.port();
        if (port < 1 || port > 65535) {
            throw ApiException.badRequest(INVALID, "telnet.port must be 1-65535");
        }
        e.telnetPort = port;
        e.telnetUsername = Inputs.text(INVALID, "telnet.username", telnet.username(), MAX_USERNAME);
        boolean retargeted = previous != null && (!e.address.equals(previous.address) || !Integer.valueOf(port).equals(previous.telnetPort));
        e.telnetPassword = keep(telnet.password(), previous == null ? null : previous.telnetPassword, "telnet.password", cleared,
                retargeted);
    }

    /** An IP literal, or a host name as RFC 1123 writes one; checked character by character, never looked up. */
    static boolean isAddress(String address) {
        if (address.indexOf(':') >= 0) {
            int zone = address.indexOf('%');
            String ip = zone < 0 ? address : address.substring(0, zone);
            if (zone >= 0 && !address.substring(zone + 1).matches("[A-Za-z0-9._-]{1,32}")) {
                return false;
            }
            try {
                return java.net.InetAddress.ofLiteral(ip) instanceof java.net.Inet6Address;
            } catch (IllegalArgumentException notAnAddress) {
                return false;
            }
        }
        if (address.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            try {
                return java.net.InetAddress.ofLiteral(address) instanceof java.net.Inet4Address && address.split("\\.").length == 4;
            } catch (IllegalArgumentException notAnAddress) {
                return false;
            }
        }
        if (address.length() > 253) {
            return false;
        }
        for (String label : address.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Vendor and model name device profiles, also as Consul keys ({@code elements/<vendor>/<model>}): never a path. */
    private static String vendorOrModel(String field, String value, int max) {
        String text = Inputs.text(INVALID, field, value, max);
        if (text != null && !VENDOR_OR_MODEL.matcher(text).matches()) {
            throw ApiException.badRequest(INVALID, field + " must start with a letter or digit and hold only letters, digits,"
                    + " spaces and . _ + ( ) -");
        }
        return text;
    }

    /**
     * The credential to store: the given one, the stored one (left out, or {@code <secret>}), or none (sent as null).
     * When the element now points elsewhere ({@code retargeted}: another address or port), a stored credential is not
     * kept: it must be sent again, so that whoever may edit elements cannot have it delivered to a host of their choice.
     */
    private static String keep(Secret given, String stored, String field, Set<String> cleared, boolean retargeted) {
        if (cleared.contains(field)) {
            return null;
        }
        boolean keeping = given == null || Secret.MASK.equals(given.reveal());
        if (keeping && retargeted && stored != null) {
            throw ApiException.badRequest(INVALID, field + " must be sent again: the element's address or port changes, and a"
                    + " stored credential is never sent to a new target");
        }
        if (given == null) {
            return stored;
        }
        if (Secret.MASK.equals(given.reveal())) {
            if (stored == null) {
                throw ApiException.badRequest(INVALID, field + " is '" + Secret.MASK + "', but nothing is stored to keep; "
                        + "send the actual value");
            }
            return stored;
        }
        Inputs.check(INVALID, field, given.reveal(), MAX_CREDENTIAL);
        return given.reveal();
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
        c.address = e.address;
        c.snmpPort = e.snmpPort;
        c.telnetPort = e.telnetPort;
        c.snmpCommunity = e.snmpCommunity;
        c.snmpAuthPassword = e.snmpAuthPassword;
        c.snmpPrivPassword = e.snmpPrivPassword;
        c.telnetPassword = e.telnetPassword;
        return c;
    }
}
