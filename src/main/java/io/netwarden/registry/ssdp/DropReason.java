package io.netwarden.registry.ssdp;

/** Why an SSDP packet registers nothing; each is counted under its {@link #label()}. */
public enum DropReason {
    TOO_LARGE("too_large"),
    NOT_TEXT("not_text"),
    BAD_START_LINE("bad_start_line"),
    BAD_HEADER("bad_header"),
    TOO_MANY_HEADERS("too_many_headers"),
    DUPLICATE_HEADER("duplicate_header"),
    MISSING_USN("missing_usn"),
    BAD_USN("bad_usn"),
    /** The USN is not the one its NT/ST has (uuid:&lt;device&gt;::&lt;NT&gt;, or uuid:&lt;device&gt; for a uuid NT). */
    USN_MISMATCH("usn_mismatch"),
    MISSING_TARGET("missing_target"),
    BAD_TARGET("bad_target"),
    MISSING_NTS("missing_nts"),
    UNKNOWN_NTS("unknown_nts"),
    MISSING_LOCATION("missing_location"),
    BAD_LOCATION("bad_location"),
    FOREIGN_LOCATION("foreign_location"),
    /** Another control point's M-SEARCH: not an advertisement, nothing to register. */
    SEARCH_REQUEST("search_request"),
    /** A well-formed advertisement of a URN that is not whitelisted. */
    NOT_WHITELISTED("not_whitelisted"),
    /** A new service beyond max-services, or beyond max-services-per-address from its address: a flood, refused. */
    TOO_MANY_SERVICES("too_many_services"),
    /** A known USN from another address than its registered one (a claim anyone on the LAN could make). */
    ADDRESS_CONFLICT("address_conflict"),
    /** From a loopback, wildcard or multicast address: no device advertises from there. */
    BAD_SOURCE("bad_source"),
    /**
     * Not what this socket takes: a NOTIFY sent to the registry's answer port, a search answer on the multicast group,
     * or an answer for a target the registry has not searched for in the last few seconds.
     */
    UNSOLICITED("unsolicited"),
    /** A byebye for a USN this instance does not see (never seen, already gone); from another address: ADDRESS_CONFLICT. */
    UNKNOWN_USN("unknown_usn"),
    /** The device description could not be fetched: connection refused or reset, no route. */
    DESCRIPTION_UNREACHABLE("description_unreachable"),
    /** The device description did not arrive in full within the fetch timeout. */
    DESCRIPTION_TIMEOUT("description_timeout"),
    /** The LOCATION answered with a redirect: not followed. */
    DESCRIPTION_REDIRECT("description_redirect"),
    /** The LOCATION answered with another status than 200, or with a response that is not HTTP/1.x. */
    DESCRIPTION_STATUS("description_status"),
    /** The device description is larger than the cap. */
    DESCRIPTION_TOO_LARGE("description_too_large"),
    /** The device description is not a UPnP device description: not XML, a DTD, no root device, too deep. */
    DESCRIPTION_INVALID("description_invalid"),
    /** As many descriptions are being fetched as may be (in all or from that address): the device repeats itself. */
    DESCRIPTION_BUSY("description_busy");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** The metric tag and log word: {@code foreign_location}. */
    public String label() {
        return label;
    }
}
