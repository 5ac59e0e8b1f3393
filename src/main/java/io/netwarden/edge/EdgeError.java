package io.netwarden.edge;

/**
 * Why the edge-node role refused or failed a message: the {@code error} code in API answers, ACKs and the error log.
 * One enum for the role, so codes cannot drift between the places that report them.
 */
public enum EdgeError {
    /** The message is not a valid steward message (JSON, fields, subject). */
    INVALID_MESSAGE("invalid_message"),
    /** A command without a signature. */
    UNSIGNED("unsigned"),
    /** The signature does not match the message (it was changed, or made for another one). */
    BAD_SIGNATURE("bad_signature"),
    /** Signed by a key this node does not trust. */
    UNTRUSTED_KEY("untrusted_key"),
    /** Addressed to another node (a captured message replayed here). */
    WRONG_NODE("wrong_node"),
    /** Its time to live ended before it could run. */
    EXPIRED("expired"),
    /** The method or executable is not allowed on this node. */
    NOT_ALLOWED("not_allowed"),
    /** No method of that name on this node. */
    UNKNOWN_METHOD("unknown_method"),
    /** It ran longer than its timeout and was stopped. */
    TIMEOUT("timeout"),
    /** It could not be run (the executable is missing, a file cannot be written …). */
    FAILED("failed"),
    /** The node stopped while it ran; it is not run again. */
    INTERRUPTED("interrupted"),
    /** Delivered, but no answer came within its timeout, also after its retries. */
    NO_ANSWER("no_answer"),
    /** API only: an Idempotency-Key given again with another body (422), or while its first request is stored (409). */
    IDEMPOTENCY_KEY_REUSED("idempotency_key_reused");

    private final String code;

    EdgeError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
