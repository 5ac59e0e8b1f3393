package io.netwarden.dnc.jobs;

import io.netwarden.testing.RealInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link JobWriterTest} against the real PostgreSQL: its batches, multi-row inserts and row locks. */
@QuarkusTest
@TestProfile(RealInfrastructure.class)
class JobWriterPostgresTest extends JobWriterTest {
}
