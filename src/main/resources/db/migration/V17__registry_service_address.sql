-- The registry counts services per address on every new registration (max-services-per-address).
CREATE INDEX registry_service_address ON registry_service (address);
