package io.netwarden.platform.lifecycle;

/** Where a role is in its lifecycle. */
public enum RoleState {
    /** Not selected on this node. */
    INACTIVE,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED;

    public boolean ready() {
        return this == RUNNING;
    }
}
