package io.netwarden.platform.api;

import io.netwarden.platform.Role;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a REST resource as belonging to a role. When that role is not active on this node the resource answers 404
 * with a JSON error, as if it did not exist.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RoleEndpoint {
    Role value();
}
