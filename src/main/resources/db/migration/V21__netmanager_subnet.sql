-- The netmanager cluster's hand-out of node subnets: one /24 of 10.16.0.0/12 per node, kept, so that a restarted node
-- gets its subnet back and a restarted cluster hands nothing out twice (the unique index decides between two clusters
-- on one database).
CREATE TABLE netmanager_subnet (
    node          VARCHAR(128)  NOT NULL PRIMARY KEY,
    subnet_index  INT           NOT NULL,
    allocated_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    requested_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX netmanager_subnet_index ON netmanager_subnet (subnet_index);
