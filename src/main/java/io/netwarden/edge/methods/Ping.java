package io.netwarden.edge.methods;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.edge.messages.EdgeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ping}: answers who this node is — {@code {"node","version","roles":[…],"time"}} — so the central sees a node
 * is alive and what it runs. Thread safety: immutable.
 */
public final class Ping implements EdgeMethod {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final String version;
    private final List<String> roles;
    private final Clock clock;

    public Ping(String node, String version, List<String> roles, Clock clock) {
        this.node = node;
        this.version = version;
        this.roles = List.copyOf(roles);
        this.clock = clock;
    }

    @Override
    public java.util.Set<EdgeMessage.Kind> kinds() {
        return java.util.EnumSet.allOf(EdgeMessage.Kind.class);
    }

    @Override
    public boolean quick() {
        return true;
    }

    /** It only reads: nothing to guard against running twice. */
    @Override
    public boolean recorded() {
        return false;
    }

    @Override
    public String name() {
        return "ping";
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("node", node);
        info.put("version", version);
        info.put("roles", roles);
        info.put("time", clock.instant().toString());
        try {
            return MethodResult.ok(JSON.writeValueAsString(info), 0, false);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
