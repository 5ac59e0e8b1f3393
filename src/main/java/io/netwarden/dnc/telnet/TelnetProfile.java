package io.netwarden.dnc.telnet;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a kind of device talks: its prompts, its pager, how to switch paging off, what an error looks like. Patterns are
 * matched against the end of what the device sent so far (prompts, pager) or against a command's output (errors).
 */
public record TelnetProfile(String name, Pattern loginPrompt, Pattern passwordPrompt, Pattern prompt, Pattern pager,
        Pattern loginFailure, Optional<String> pagingOff, List<Pattern> errors) {

    /** Fits most routers, switches and Unix shells. */
    public static final TelnetProfile GENERIC = new TelnetProfile("generic",
            Pattern.compile("(?i)(login|user ?name|user)\\s*:\\s*$"),
            Pattern.compile("(?i)pass(word|code)\\s*:\\s*$"),
            Pattern.compile("[^\\r\\n]{0,160}[#>$%] ?$"),
            Pattern.compile("(?i)(-+ ?more ?-+|<-+ more -+>|press any key to continue[^\\r\\n]*)\\s*$"),
            Pattern.compile("(?i)(login incorrect|authentication failed|access denied|bad password|% ?login invalid|"
                    + "invalid (password|login))"),
            Optional.empty(),
            List.of(Pattern.compile("(?m)^% ?(Invalid|Incomplete|Ambiguous|Unknown|Error)[^\\r\\n]*")));

    public TelnetProfile {
        errors = List.copyOf(errors);
    }
}
