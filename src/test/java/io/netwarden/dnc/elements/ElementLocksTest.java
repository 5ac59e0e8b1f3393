package io.netwarden.dnc.elements;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netwarden.testing.TestElements;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The lease lock under contention, on the test database. */
@QuarkusTest
class ElementLocksTest {

    @Inject
    ElementLocks locks;

    @Test
    void concurrentFirstAcquisitionsOnAnElementHaveOneWinnerAndNoErrors() throws Exception {
        // Given: an element nobody has locked yet (no lock row), and eight would-be holders at the starting line
        String element = TestElements.snmpV2c("public", TestElements.SNMP_PORT);
        int contenders = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ElementLocks.Attempt>> attempts = new ArrayList<>();

        // When: all try at once
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < contenders; i++) {
                String holder = "holder-" + i;
                attempts.add(pool.submit(() -> {
                    start.await();
                    return locks.tryAcquire(element, holder, Duration.ofMinutes(1), "test");
                }));
            }
            start.countDown();

            // Then: none fails, exactly one holds the lease, and every loser was shown that one
            Set<String> winners = new HashSet<>();
            Set<String> blockers = new HashSet<>();
            for (Future<ElementLocks.Attempt> attempt : attempts) {
                ElementLocks.Attempt a = attempt.get(); // throws if tryAcquire failed
                a.acquired().ifPresent(l -> winners.add(l.holder()));
                a.blocking().ifPresent(l -> blockers.add(l.holder()));
            }
            assertEquals(1, winners.size(), winners.toString());
            assertEquals(winners, blockers);
            assertEquals(winners.iterator().next(), locks.current(element).orElseThrow().holder());
        }
    }
}
