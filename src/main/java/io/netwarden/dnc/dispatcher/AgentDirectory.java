package io.netwarden.dnc.dispatcher;

import io.netwarden.proto.dnc.v1.AgentHello;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The agents this dispatcher has heard from, by name. Thread-safe: one concurrent map, immutable entries. */
@Singleton
public class AgentDirectory {

    /** What an agent last said about itself. */
    public record AgentInfo(String name, String pool, String node, String instance, Instant lastHeartbeat,
            List<String> reachableElements, int runningJobs) {
    }

    private final Map<String, AgentInfo> agents = new ConcurrentHashMap<>();

    void heard(AgentHello hello, Instant at) {
        agents.put(hello.getAgent(), new AgentInfo(hello.getAgent(), hello.getPool(), hello.getNode(), hello.getInstance(), at,
                List.copyOf(hello.getReachableElementsList()), hello.getRunningJobs()));
    }

    public Optional<Instant> lastHeard(String agent) {
        return Optional.ofNullable(agents.get(agent)).map(AgentInfo::lastHeartbeat);
    }

    public List<AgentInfo> all() {
        return agents.values().stream().sorted(Comparator.comparing(AgentInfo::name)).toList();
    }

    /** Forgets agents silent for longer than {@code forgetAfter}. */
    void forgetSilent(Duration forgetAfter, Instant now) {
        agents.values().removeIf(a -> a.lastHeartbeat().plus(forgetAfter).isBefore(now));
    }
}
