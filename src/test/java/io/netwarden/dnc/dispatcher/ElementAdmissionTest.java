package io.netwarden.dnc.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ElementAdmissionTest {

    private final AtomicLong now = new AtomicLong();
    private final ElementAdmission admission = new ElementAdmission(2, now::get);

    @Test
    void anElementGetsItsPlacesAndTheRestWaitInLine() {
        // When: five jobs of one element, one of another
        assertTrue(admission.admit("down", "j1", 1000));
        assertTrue(admission.admit("down", "j2", 1000));
        assertFalse(admission.admit("down", "j3", 1000));
        assertFalse(admission.admit("down", "j4", 1000));
        assertTrue(admission.admit("up", "k1", 1000), "another element is not held up");

        // Then: an end frees a place for the oldest waiting job, and only for it
        assertEquals(Optional.of("j3"), admission.finished("j1"));
        assertFalse(admission.admit("down", "j4", 1000), "j3 is next, not j4");
        assertTrue(admission.admit("down", "j3", 1000));
        assertEquals(2, admission.inFlight("down"));
        assertEquals(1, admission.waiting("down"));
    }

    @Test
    void aJobPublishedAgainKeepsItsPlace() {
        assertTrue(admission.admit("e", "j1", 1000));
        assertTrue(admission.admit("e", "j1", 1000));
        assertEquals(1, admission.inFlight("e"));
    }

    @Test
    void aPlaceWhoseEndIsNeverHeardIsFreedAtTheDeadline() {
        assertTrue(admission.admit("e", "j1", 100));
        assertTrue(admission.admit("e", "j2", 100));
        assertFalse(admission.admit("e", "j3", 100));
        now.set(101);
        assertTrue(admission.admit("e", "j3", 500));
    }

    @Test
    void aWaitingJobThatEndsLeavesTheLineAndAWithdrawnOneItsPlace() {
        admission.admit("e", "j1", 1000);
        admission.admit("e", "j2", 1000);
        admission.admit("e", "j3", 1000);
        admission.admit("e", "j4", 1000);
        assertEquals(Optional.empty(), admission.finished("j3"), "j3 timed out in the queue: nothing was freed");
        assertEquals(1, admission.waiting("e"));
        admission.withdraw("j1");
        assertTrue(admission.admit("e", "j4", 1000));
        assertEquals(0, admission.waitingTotal());
    }
}
