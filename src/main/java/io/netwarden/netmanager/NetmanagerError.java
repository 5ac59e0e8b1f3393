package io.netwarden.netmanager;

/** Why the netmanager refused a request: the {@code error} code of its API answers, with the HTTP status. */
public enum NetmanagerError {
    /** A field is missing or malformed (serviceName, instanceNumber, pid, netns, portMappings …). */
    INVALID_REQUEST("invalid_request", 400),
    /** A port mapping uses the tunnel's port. */
    PORT_RESERVED("port_reserved", 400),
    /** A host port already mapped to another instance. */
    PORT_TAKEN("port_taken", 409),
    /** The node has no subnet yet: register it (or give it netwarden.netmanager.mqtt.url). */
    NOT_REGISTERED("not_registered", 409),
    /** Registered already, under another client id. */
    REGISTERED_OTHERWISE("registered_otherwise", 409),
    /** This service's instance is deployed here already. */
    INSTANCE_EXISTS("instance_exists", 409),
    /** No such instance on this node. */
    UNKNOWN_INSTANCE("unknown_instance", 404),
    /** The given pid has no process (or no network namespace to enter). */
    NO_SUCH_PROCESS("no_such_process", 400),
    /** Every address of the node's subnet is in use. */
    SUBNET_FULL("subnet_full", 503),
    /** The subnet could not be had from the cluster. */
    CLUSTER_UNREACHABLE("cluster_unreachable", 503),
    /** A Linux networking command failed (the message says which and why); nothing was left behind. */
    NETWORK_FAILED("network_failed", 500),
    /** The cluster has handed no subnet to this node. */
    UNKNOWN_NODE("unknown_node", 404),
    /** The node still has instances in the cluster's table: its subnet is not given up under them. */
    NODE_HAS_INSTANCES("node_has_instances", 409),
    /** The call is for the other mode (a node's call on the cluster, or the other way round). */
    WRONG_MODE("wrong_mode", 409);

    private final String code;
    private final int status;

    NetmanagerError(String code, int status) {
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public io.netwarden.platform.api.ApiException exception(String message) {
        return new io.netwarden.platform.api.ApiException(status, code, message);
    }
}
