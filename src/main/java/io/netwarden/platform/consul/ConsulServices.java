package io.netwarden.platform.consul;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The local Consul agent's service catalogue, as far as a registrator needs it: register a service with a TTL check,
 * keep the check alive or critical, deregister, list. Implemented over the agent's HTTP API by {@link HttpConsulServices};
 * logic tests may use a fake.
 */
public interface ConsulServices {

    /**
     * A service as it is registered, with one TTL check ({@code service:<id>}).
     *
     * @param ttl how long the check stays passing without an update
     * @param deregisterCriticalAfter Consul removes the service once its check has been critical this long
     */
    record Registration(String id, String name, List<String> tags, String address, int port, Map<String, String> meta,
            Duration ttl, Duration deregisterCriticalAfter) {
        public Registration {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            tags = List.copyOf(tags);
            meta = Map.copyOf(meta);
        }

        /** The id of the service's TTL check. */
        public String checkId() {
            return "service:" + id;
        }
    }

    /** {@code PUT /v1/agent/service/register} (a registration with the same id replaces the earlier one). */
    void register(Registration service) throws ConsulKv.ConsulException;

    /** {@code PUT /v1/agent/service/deregister/<id>}; a service the agent does not know is not an error. */
    void deregister(String id) throws ConsulKv.ConsulException;

    /** {@code PUT /v1/agent/check/update/service:<id>} with {@code passing} or {@code critical} and a note. */
    void updateTtl(String id, boolean passing, String note) throws ConsulKv.ConsulException;

    /** {@code GET /v1/agent/services}: the ids of the services registered with the agent, with their names. */
    Map<String, String> services() throws ConsulKv.ConsulException;
}
