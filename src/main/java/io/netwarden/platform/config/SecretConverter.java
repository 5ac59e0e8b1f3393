package io.netwarden.platform.config;

import io.netwarden.platform.auth.Secret;
import org.eclipse.microprofile.config.spi.Converter;

/** Turns a configured credential into a {@link Secret}, so it cannot end up in a log line. */
public class SecretConverter implements Converter<Secret> {

    @Override
    public Secret convert(String value) {
        return value == null || value.isBlank() ? null : Secret.of(value.strip());
    }
}
