package io.netwarden.registry.description;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of a UPnP device description (the root device or one embedded in it): what the registry stores under a
 * service's {@code device}. Every text is trimmed and at most {@link DescriptionParser#MAX_TEXT} characters.
 *
 * @param udn {@code uuid:…}, as the description names the device (empty when it names none)
 * @param services the device's own services (not those of devices embedded in it)
 */
public record DeviceDescription(String deviceType, String friendlyName, String manufacturer, String modelName,
        String modelNumber, String udn, String presentationUrl, List<Service> services) {

    /** One {@code <service>} of a device. */
    public record Service(String serviceType, String serviceId, String controlUrl) {
        public Service {
            Objects.requireNonNull(serviceType, "serviceType");
            Objects.requireNonNull(serviceId, "serviceId");
            Objects.requireNonNull(controlUrl, "controlUrl");
        }
    }

    public DeviceDescription {
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(friendlyName, "friendlyName");
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelNumber, "modelNumber");
        Objects.requireNonNull(udn, "udn");
        Objects.requireNonNull(presentationUrl, "presentationUrl");
        services = List.copyOf(services);
    }

    /**
     * The fields as the API shows them, with UPnP's element names ({@code friendlyName}, {@code UDN},
     * {@code presentationURL}, {@code services:[{serviceType, serviceId, controlURL}]}); empty fields left out.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        put(map, "deviceType", deviceType);
        put(map, "friendlyName", friendlyName);
        put(map, "manufacturer", manufacturer);
        put(map, "modelName", modelName);
        put(map, "modelNumber", modelNumber);
        put(map, "UDN", udn);
        put(map, "presentationURL", presentationUrl);
        map.put("services", services.stream().map(s -> {
            Map<String, Object> service = new LinkedHashMap<>();
            put(service, "serviceType", s.serviceType());
            put(service, "serviceId", s.serviceId());
            put(service, "controlURL", s.controlUrl());
            return service;
        }).toList());
        return map;
    }

    private static void put(Map<String, Object> map, String key, String value) {
        if (!value.isEmpty()) {
            map.put(key, value);
        }
    }

    /**
     * A whole description: the root device and every device embedded in it (depth first).
     *
     * @param devices the root first
     */
    public record Document(List<DeviceDescription> devices) {
        public Document {
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("a description has a root device");
            }
            devices = List.copyOf(devices);
        }

        /** The device with {@code udn} (an advertised service belongs to it), else the root device. */
        public DeviceDescription device(String udn) {
            Optional<DeviceDescription> named = devices.stream().filter(d -> d.udn().equalsIgnoreCase(udn)).findFirst();
            return named.orElse(devices.getFirst());
        }
    }
}
