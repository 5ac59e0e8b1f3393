package io.netwarden.platform.concurrent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PerSecondBudgetTest {

    @Test
    void atMostTheBudgetInASecondAndAgainInTheNext() {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        PerSecondBudget budget = new PerSecondBudget(3, clock::get);
        for (int i = 0; i < 3; i++) {
            assertTrue(budget.take(), "take " + i);
        }
        assertFalse(budget.take());
        clock.addAndGet(999_000_000L); // still the same second
        assertFalse(budget.take());
        clock.addAndGet(2_000_000L);
        assertTrue(budget.take(), "a new second");
    }
}
