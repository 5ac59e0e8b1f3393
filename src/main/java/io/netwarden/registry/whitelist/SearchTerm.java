package io.netwarden.registry.whitelist;

import java.util.regex.Pattern;

/** One whitelisted URN and the tag it is registered under. */
public record SearchTerm(String urn, String tag) {

    private static final Pattern URN = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public SearchTerm {
        if (urn == null || !URN.matcher(urn).matches()) {
            throw new IllegalArgumentException("urn must be 1-255 printable characters without spaces");
        }
        if (tag == null || !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("tag must be 1-128 characters, a letter or digit first, then letters,"
                    + " digits, '.', '_', ':' or '-'");
        }
    }
}
