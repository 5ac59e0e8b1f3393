package io.netwarden.dnc.agent;

import io.netwarden.dnc.telnet.TelnetProfile;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The configured telnet profiles, compiled once; looks one up by the element's vendor and model. Immutable. */
final class TelnetProfiles {

    private final Map<String, TelnetProfile> byKey;

    private TelnetProfiles(Map<String, TelnetProfile> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    /** @throws IllegalArgumentException naming the profile and setting whose pattern does not compile */
    static TelnetProfiles compile(Map<String, AgentConfig.Profile> configured) {
        Map<String, TelnetProfile> compiled = new HashMap<>();
        configured.forEach((key, p) -> {
            TelnetProfile g = TelnetProfile.GENERIC;
            compiled.put(key.toLowerCase(Locale.ROOT), new TelnetProfile(key,
                    p.loginPrompt().map(r -> pattern(key, "login-prompt", r)).orElse(g.loginPrompt()),
                    p.passwordPrompt().map(r -> pattern(key, "password-prompt", r)).orElse(g.passwordPrompt()),
                    p.prompt().map(r -> pattern(key, "prompt", r)).orElse(g.prompt()),
                    p.pager().map(r -> pattern(key, "pager", r)).orElse(g.pager()),
                    p.loginFailure().map(r -> pattern(key, "login-failure", r)).orElse(g.loginFailure()),
                    p.pagingOff().or(g::pagingOff),
                    p.errors().map(list -> list.stream().map(r -> pattern(key, "errors", r)).toList()).orElse(g.errors())));
        });
        return new TelnetProfiles(compiled);
    }

    private static Pattern pattern(String profile, String setting, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("netwarden.dnc.agent.telnet.profiles.\"" + profile + "\"." + setting
                    + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /** {@code vendor/model}, else {@code vendor}, else the generic profile. */
    TelnetProfile forElement(String vendor, String model) {
        String v = vendor == null ? "" : vendor.toLowerCase(Locale.ROOT);
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        TelnetProfile exact = byKey.get(v + "/" + m);
        if (exact != null) {
            return exact;
        }
        return byKey.getOrDefault(v, TelnetProfile.GENERIC);
    }
}
