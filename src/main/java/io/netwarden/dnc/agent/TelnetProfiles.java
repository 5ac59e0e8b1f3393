package io.netwarden.dnc.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.dnc.telnet.TelnetProfile;
import io.netwarden.platform.consul.ConsulKv;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jboss.logging.Logger;

/**
 * Finds the telnet profile for an element, first match wins:
 * <pre>
 *   Consul KV elements/&lt;vendor&gt;/&lt;model&gt;   (when netwarden.consul.url is set; lower case; cached for consul-refresh)
 *   config profiles."&lt;vendor&gt;/&lt;model&gt;"
 *   config profiles."&lt;vendor&gt;"
 *   the generic profile
 * </pre>
 * Configured profiles are compiled once at start. Thread-safe: the configured map is immutable, the Consul cache a
 * concurrent map whose entries are replaced whole (two jobs may fetch the same key at once; the later answer stays).
 * When Consul cannot be reached the last profile read from it is used; with none read yet the job fails
 * ({@code profile_unavailable}) rather than talking to the device with a profile that may not fit.
 */
final class TelnetProfiles {

    private static final Logger LOG = Logger.getLogger(TelnetProfiles.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final Map<String, TelnetProfile> configured;
    private final ConsulKv consul;
    private final Duration refresh;
    private final Map<String, Fetched> fromConsul = new ConcurrentHashMap<>();

    /**
     * What Consul said about a key (its raw value, kept to notice changes; empty: no such key), when it said so, and
     * when it was last asked.
     */
    private record Fetched(Optional<String> raw, Optional<TelnetProfile> profile, Instant readAt, Instant checkedAt) {
    }

    private TelnetProfiles(Map<String, TelnetProfile> configured, ConsulKv consul, Duration refresh) {
        this.configured = Map.copyOf(configured);
        this.consul = consul;
        this.refresh = refresh;
    }

    /** @throws IllegalArgumentException naming the profile and setting whose pattern does not compile */
    static TelnetProfiles compile(Map<String, AgentConfig.Profile> configured, ConsulKv consul, Duration refresh) {
        Map<String, TelnetProfile> compiled = new HashMap<>();
        configured.forEach((key, p) -> compiled.put(key.toLowerCase(Locale.ROOT),
                compile(key, "netwarden.dnc.agent.telnet.profiles.\"" + key + "\".", p)));
        return new TelnetProfiles(compiled, consul, refresh);
    }

    /** Unset parts keep the generic profile's value; {@code where} prefixes the setting name in errors. */
    private static TelnetProfile compile(String name, String where, AgentConfig.Profile p) {
        TelnetProfile g = TelnetProfile.GENERIC;
        return new TelnetProfile(name,
                p.loginPrompt().map(r -> pattern(where, "login-prompt", r)).orElse(g.loginPrompt()),
                p.passwordPrompt().map(r -> pattern(where, "password-prompt", r)).orElse(g.passwordPrompt()),
                p.prompt().map(r -> pattern(where, "prompt", r)).orElse(g.prompt()),
                p.pager().map(r -> pattern(where, "pager", r)).orElse(g.pager()),
                p.loginFailure().map(r -> pattern(where, "login-failure", r)).orElse(g.loginFailure()),
                p.pagingOff().or(g::pagingOff),
                p.errors().map(list -> list.stream().map(r -> pattern(where, "errors", r)).toList()).orElse(g.errors()));
    }

    private static Pattern pattern(String where, String setting, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + setting + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /**
     * The profile for an element of this vendor and model.
     *
     * @throws ProfileException {@code profile_invalid} when Consul holds something that is not a profile,
     *         {@code profile_unavailable} when Consul cannot be asked and nothing was read from it before
     */
    /**
     * What a vendor or model may be to name a Consul key (as the API allows them): never a path of its own, never "."
     * or "..", which an HTTP client would resolve to a key outside {@code elements/}.
     */
    private static final java.util.regex.Pattern KEY_SEGMENT = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9 ._+()-]{0,63}");

    TelnetProfile forElement(String vendor, String model) throws ProfileException {
        String v = vendor == null ? "" : vendor.strip().toLowerCase(Locale.ROOT);
        String m = model == null ? "" : model.strip().toLowerCase(Locale.ROOT);
        if (consul.enabled() && !v.isEmpty() && !m.isEmpty() && KEY_SEGMENT.matcher(v).matches() && KEY_SEGMENT.matcher(m).matches()) {
            Optional<TelnetProfile> central = fromConsul("elements/" + v + "/" + m);
            if (central.isPresent()) {
                return central.get();
            }
        }
        TelnetProfile exact = configured.get(v + "/" + m);
        if (exact != null) {
            return exact;
        }
        return configured.getOrDefault(v, TelnetProfile.GENERIC);
    }

    private Optional<TelnetProfile> fromConsul(String key) throws ProfileException {
        Fetched cached = fromConsul.get(key);
        Instant now = Instant.now();
        if (cached != null && cached.checkedAt().plus(refresh).isAfter(now)) {
            return cached.profile();
        }
        Optional<String> value;
        try {
            value = consul.get(key);
        } catch (ConsulKv.ConsulException e) {
            if (cached != null) {
                LOG.warnf("telnet profile %s: %s; keeping what was read at %s", key, e.getMessage(), cached.readAt());
                // ask again after the next refresh, not on every job
                fromConsul.put(key, new Fetched(cached.raw(), cached.profile(), cached.readAt(), now));
                return cached.profile();
            }
            throw new ProfileException("profile_unavailable", "the telnet profile for this element may be in Consul key '"
                    + key + "', which could not be read: " + e.getMessage());
        }
        if (cached != null && cached.raw().equals(value)) {
            fromConsul.put(key, new Fetched(value, cached.profile(), now, now));
            return cached.profile();
        }
        Optional<TelnetProfile> profile = value.isEmpty() ? Optional.empty() : Optional.of(parse(key, value.get()));
        LOG.infof("telnet profile %s: %s", key, profile.isPresent() ? "read from Consul" : "not in Consul");
        fromConsul.put(key, new Fetched(value, profile, now, now));
        return profile;
    }

    private static TelnetProfile parse(String key, String json) throws ProfileException {
        ConsulProfile settings;
        try {
            settings = JSON.readValue(json, ConsulProfile.class);
        } catch (JsonProcessingException e) {
            // the parser's own message quotes what it read, and a KV store can hold secrets: say where, not what
            String what = e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown
                    && unknown.getPropertyName().matches("[A-Za-z0-9_-]{1,32}") ? "unknown setting '" + unknown.getPropertyName() + "'"
                    : "not JSON of the expected shape";
            var at = e.getLocation();
            throw new ProfileException("profile_invalid", "Consul key '" + key + "' is not a telnet profile: " + what
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (settings == null) {
            throw new ProfileException("profile_invalid", "Consul key '" + key + "' is not a telnet profile: it holds null");
        }
        try {
            return compile(key, "Consul key '" + key + "': ", settings);
        } catch (IllegalArgumentException e) {
            throw new ProfileException("profile_invalid", e.getMessage());
        }
    }

    /** A profile as JSON in Consul, with the same setting names as the config file. */
    record ConsulProfile(@JsonProperty("prompt") String promptRegex, @JsonProperty("login-prompt") String loginPromptRegex,
            @JsonProperty("password-prompt") String passwordPromptRegex, @JsonProperty("pager") String pagerRegex,
            @JsonProperty("login-failure") String loginFailureRegex, @JsonProperty("paging-off") String pagingOffCommand,
            @JsonProperty("errors") List<String> errorRegexes) implements AgentConfig.Profile {

        @Override
        public Optional<String> prompt() {
            return Optional.ofNullable(promptRegex);
        }

        @Override
        public Optional<String> loginPrompt() {
            return Optional.ofNullable(loginPromptRegex);
        }

        @Override
        public Optional<String> passwordPrompt() {
            return Optional.ofNullable(passwordPromptRegex);
        }

        @Override
        public Optional<String> pager() {
            return Optional.ofNullable(pagerRegex);
        }

        @Override
        public Optional<String> loginFailure() {
            return Optional.ofNullable(loginFailureRegex);
        }

        @Override
        public Optional<String> pagingOff() {
            return Optional.ofNullable(pagingOffCommand);
        }

        @Override
        public Optional<List<String>> errors() {
            return Optional.ofNullable(errorRegexes);
        }
    }

    /** No usable profile for the element: the job fails with this code. */
    static final class ProfileException extends Exception {
        private final String code;

        ProfileException(String code, String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}
