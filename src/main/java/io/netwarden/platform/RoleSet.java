package io.netwarden.platform;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable, non-empty set of roles, parsed from a comma list such as {@code agent,dispatcher} or {@code all}.
 */
public record RoleSet(Set<Role> roles) {

    public RoleSet {
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("no role selected; valid roles: " + Role.validNames());
        }
        roles = Set.copyOf(EnumSet.copyOf(roles));
    }

    public static RoleSet all() {
        return new RoleSet(EnumSet.allOf(Role.class));
    }

    /**
     * Parses role names; {@code all} selects every role.
     *
     * @throws IllegalArgumentException naming the unknown role and listing the valid ones
     */
    public static RoleSet parse(Collection<String> names) {
        EnumSet<Role> selected = EnumSet.noneOf(Role.class);
        for (String raw : names) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (Role.ALL.equals(name)) {
                selected.addAll(EnumSet.allOf(Role.class));
                continue;
            }
            selected.add(Role.fromId(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown role '" + name + "'; valid roles: " + Role.validNames())));
        }
        return new RoleSet(selected);
    }

    public static RoleSet parse(String commaList) {
        return parse(List.of(commaList.split(",")));
    }

    public boolean contains(Role role) {
        return roles.contains(role);
    }

    /** Role names in declaration order, as shown by {@code GET /api/v1/node}. */
    public List<String> ids() {
        return EnumSet.copyOf(roles).stream().map(Role::id).toList();
    }

    @Override
    public String toString() {
        return String.join(",", ids());
    }
}
