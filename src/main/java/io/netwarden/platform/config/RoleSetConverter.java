package io.netwarden.platform.config;

import io.netwarden.platform.RoleSet;
import org.eclipse.microprofile.config.spi.Converter;

/** Reads {@code netwarden.roles}; an unknown name fails start-up with the list of valid roles. */
public class RoleSetConverter implements Converter<RoleSet> {

    @Override
    public RoleSet convert(String value) {
        return RoleSet.parse(value);
    }
}
