package io.netwarden.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.platform.Role;
import io.netwarden.platform.lifecycle.RoleService;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** The registry role's lifecycle: loads the URN whitelist at start. SSDP listening and backends arrive with the registry issue. */
@ApplicationScoped
public class RegistryService implements RoleService {

    private static final Logger LOG = Logger.getLogger(RegistryService.class);

    @Inject
    RegistryConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    SearchTerms searchTerms;

    @Override
    public Role role() {
        return Role.REGISTRY;
    }

    @Override
    public void start() {
        List<SearchTerm> terms = new ArrayList<>(SearchTerms.fromConfig(config.tags()));
        config.configFile().ifPresent(file -> terms.addAll(SearchTerms.fromRegistryJson(file, json)));
        terms.forEach(searchTerms::put);
        LOG.infof("registry: backend=%s, %d whitelisted URNs", config.backend(), searchTerms.list().size());
    }
}
