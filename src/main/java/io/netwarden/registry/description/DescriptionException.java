package io.netwarden.registry.description;

import io.netwarden.registry.ssdp.DropReason;

/** Why a device description was not had: the drop reason the advertisement is counted under, and a short detail. */
public final class DescriptionException extends Exception {

    private final DropReason reason;

    public DescriptionException(DropReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
