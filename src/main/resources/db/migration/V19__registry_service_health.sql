-- The registry's health probes: since when a service's LOCATION has failed its probes (NULL while passing), and when
-- it was last probed.
ALTER TABLE registry_service ADD COLUMN critical_since TIMESTAMP(6) WITH TIME ZONE;
ALTER TABLE registry_service ADD COLUMN checked_at TIMESTAMP(6) WITH TIME ZONE;
CREATE INDEX registry_service_location ON registry_service (location);
