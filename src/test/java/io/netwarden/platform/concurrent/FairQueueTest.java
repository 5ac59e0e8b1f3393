package io.netwarden.platform.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairQueueTest {

    @Test
    void sourcesTakeTurnsAndEachKeepsItsOrder() throws Exception {
        FairQueue<String> queue = new FairQueue<>(100, 1000);
        for (int i = 1; i <= 5; i++) {
            queue.offer("flood", "f" + i);
        }
        queue.offer("quiet", "q1");
        queue.offer("other", "o1");
        queue.offer("quiet", "q2");
        List<String> taken = new ArrayList<>();
        while (queue.size() > 0) {
            taken.add(queue.take());
        }
        assertEquals(List.of("f1", "q1", "o1", "f2", "q2", "f3", "f4", "f5"), taken);
    }

    @Test
    void aSourceGetsItsShareAndTheOthersStillGetRoom() {
        FairQueue<Integer> queue = new FairQueue<>(3, 5);
        assertTrue(queue.offer("a", 1) && queue.offer("a", 2) && queue.offer("a", 3));
        assertFalse(queue.offer("a", 4), "beyond its share");
        assertTrue(queue.offer("b", 1) && queue.offer("c", 1));
        assertEquals(5, queue.size());
        queue.clear();
        assertEquals(0, queue.size());
        assertTrue(queue.offer("a", 5));
    }

    @Test
    void aFloodSpreadOverSeveralSourcesFillsTheQueueButAQuietSourceIsStillTaken() {
        FairQueue<Integer> queue = new FairQueue<>(2500, 10_000);
        for (int source = 0; source < 4; source++) {
            for (int i = 0; i < 2500; i++) {
                queue.offer("flood" + source, i);
            }
        }
        assertEquals(10_000, queue.size());
        assertFalse(queue.offer("flood0", 1), "a source with many waiting: refused when full");
        assertTrue(queue.offer("quiet", 1), "one with few waiting: taken, into the headroom");
        for (int i = 1; i < FairQueue.FEW; i++) {
            assertTrue(queue.offer("quiet", i));
        }
        assertFalse(queue.offer("quiet", 99), "not beyond a few");
        for (int source = 0; queue.size() < 12_000 && source < 10_000; source++) {
            queue.offer("spoofed" + source, 1);
        }
        assertEquals(12_000, queue.size(), "the headroom is bounded too: a fifth of the total");
        assertFalse(queue.offer("late", 1));
    }

    @Test
    void takeWaitsForAnItem() throws Exception {
        FairQueue<String> queue = new FairQueue<>(1, 1);
        CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(taken.isDone());
        queue.offer("s", "late");
        assertEquals("late", taken.get(10, TimeUnit.SECONDS));
    }

    @Test
    void limitsMustMakeSense() {
        assertThrows(IllegalArgumentException.class, () -> new FairQueue<>(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new FairQueue<>(10, 5));
    }
}
