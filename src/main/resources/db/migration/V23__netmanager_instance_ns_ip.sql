-- Table queries by an instance's namespace address (instances reach other nodes' instances directly).
CREATE INDEX netmanager_instance_ns_ip ON netmanager_instance (ns_ip);
