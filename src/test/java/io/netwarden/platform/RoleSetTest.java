package io.netwarden.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoleSetTest {

    @Test
    void parsesACommaListInDeclarationOrder() {
        // When
        RoleSet roles = RoleSet.parse(" dispatcher, agent ,");

        // Then
        assertEquals(List.of("agent", "dispatcher"), roles.ids());
        assertEquals("agent,dispatcher", roles.toString());
    }

    @Test
    void allSelectsEveryRole() {
        assertEquals(List.of("agent", "dispatcher", "registry", "edge-node", "netmanager"), RoleSet.parse("all").ids());
        assertEquals(RoleSet.all(), RoleSet.parse("agent,all"));
    }

    @Test
    void unknownRoleNamesItAndListsTheValidOnes() {
        // When
        var e = assertThrows(IllegalArgumentException.class, () -> RoleSet.parse("agent,bogus"));

        // Then
        assertEquals("unknown role 'bogus'; valid roles: agent, dispatcher, registry, edge-node, netmanager, all", e.getMessage());
    }

    @Test
    void emptySelectionIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> RoleSet.parse(" , "));
        assertTrue(e.getMessage().contains("valid roles"), e.getMessage());
    }

    @Test
    void rolesComeFromProfilesWhenNotConfigured() {
        // Given: no netwarden.roles, profiles prod + agent + dispatcher
        var config = new TestConfig(null);

        // Then
        assertEquals(List.of("agent", "dispatcher"), NodeIdentity.resolveRoles(config, List.of("prod", "agent", "dispatcher")).ids());
        assertEquals(RoleSet.all(), NodeIdentity.resolveRoles(config, List.of("prod")));
        assertEquals(RoleSet.all(), NodeIdentity.resolveRoles(config, List.of("all")));
    }

    @Test
    void explicitRolesWinOverProfiles() {
        var config = new TestConfig(RoleSet.parse("registry"));
        assertEquals(List.of("registry"), NodeIdentity.resolveRoles(config, List.of("agent")).ids());
    }

    /** Only roles() matters to role resolution. */
    private record TestConfig(RoleSet explicit) implements io.netwarden.platform.config.NetwardenConfig {
        @Override
        public java.util.Optional<RoleSet> roles() {
            return java.util.Optional.ofNullable(explicit);
        }

        @Override
        public Node node() {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.nio.file.Path dataDir() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Api api() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Http http() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Nats nats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Export export() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Shutdown shutdown() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Consul consul() {
            throw new UnsupportedOperationException();
        }
    }
}
