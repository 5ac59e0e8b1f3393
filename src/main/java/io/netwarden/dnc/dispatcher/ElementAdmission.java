package io.netwarden.dnc.dispatcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How many jobs of one element this dispatcher has handed to agents at once (published, not yet finished), and which
 * of its jobs wait for their turn. Without it 1,000 jobs against an unreachable element fill every agent slot and the
 * NATS queue ahead of a job for a healthy element, which then waits for all of them to time out.
 *
 * <pre>
 *   publish(job) ─▶ admit: element under max-jobs-per-element? ── yes ─▶ in flight (until its end, or its deadline)
 *                                                               └─ no ──▶ waiting (FIFO per element), job stays queued
 *   job ends ─▶ finished: frees the place ─▶ the element's next waiting job is published
 * </pre>
 *
 * Elements take turns by construction: each has its own cap, so a busy element never holds more than its share of
 * the queue. A place whose job's end this dispatcher never hears of (another dispatcher recorded it) is freed at the
 * job's deadline. Waiting jobs are not lost on a restart: they are queued in the database, and the maintenance loop
 * publishes queued jobs again, through {@link #admit}.
 *
 * <p>Thread safety: every method is {@code synchronized}; each does a few map operations.
 */
final class ElementAdmission {

    /**
     * Longest line kept per element, and most jobs known in all: beyond them a job is not remembered, it just stays
     * queued in the database and is offered again by the maintenance loop.
     */
    static final int MAX_WAITING_PER_ELEMENT = 10_000;
    static final int MAX_KNOWN = 200_000;

    private final int maxPerElement;
    private final LongSupplier clock;
    /** element → (job id → deadline, nanos) */
    private final Map<String, Map<String, Long>> inFlight = new HashMap<>();
    /** element → job ids waiting, oldest first */
    private final Map<String, Deque<String>> waiting = new HashMap<>();
    /** job id → element, for ends reported by id alone */
    private final Map<String, String> elementOf = new HashMap<>();

    ElementAdmission(int maxPerElement, LongSupplier clock) {
        if (maxPerElement < 1) {
            throw new IllegalArgumentException("netwarden.dnc.dispatcher.max-jobs-per-element must be at least 1");
        }
        this.maxPerElement = maxPerElement;
        this.clock = clock;
    }

    /**
     * May {@code jobId} be handed to agents now? Yes when it already is (a job published again) or its element has a
     * free place, which it then takes until {@code deadlineNanos}; otherwise it is put in line.
     */
    synchronized boolean admit(String element, String jobId, long deadlineNanos) {
        Map<String, Long> running = inFlight.computeIfAbsent(element, e -> new LinkedHashMap<>());
        long now = clock.getAsLong();
        running.entrySet().removeIf(e -> {
            boolean expired = e.getValue() - now < 0;
            if (expired) {
                elementOf.remove(e.getKey());
            }
            return expired;
        });
        if (running.containsKey(jobId)) {
            return true;
        }
        Deque<String> line = waiting.get(element);
        boolean ahead = line != null && !line.isEmpty() && !line.peekFirst().equals(jobId);
        if (running.size() < maxPerElement && !ahead) {
            running.put(jobId, deadlineNanos);
            elementOf.put(jobId, element);
            if (line != null) {
                line.remove(jobId);
                if (line.isEmpty()) {
                    waiting.remove(element);
                }
            }
            return true;
        }
        Deque<String> queue = waiting.computeIfAbsent(element, e -> new ArrayDeque<>());
        if (queue.size() < MAX_WAITING_PER_ELEMENT && elementOf.size() < MAX_KNOWN && !elementOf.containsKey(jobId)) {
            queue.addLast(jobId);
            elementOf.put(jobId, element);
        }
        if (queue.isEmpty()) {
            waiting.remove(element);
        }
        if (running.isEmpty()) {
            inFlight.remove(element);
        }
        return false;
    }

    /** {@code jobId} was admitted but not handed out after all (a provision waits for its lock, publishing failed). */
    synchronized void withdraw(String jobId) {
        String element = elementOf.remove(jobId);
        if (element != null) {
            Map<String, Long> running = inFlight.get(element);
            if (running != null) {
                running.remove(jobId);
            }
        }
    }

    /**
     * {@code jobId} has ended (by its agent, a timeout, or elsewhere): its place is free. Returns the job that should be
     * published next for that element, if one waits.
     */
    synchronized Optional<String> finished(String jobId) {
        String element = elementOf.remove(jobId);
        if (element == null) {
            return Optional.empty();
        }
        Deque<String> line = waiting.get(element);
        if (line != null && line.remove(jobId) && line.isEmpty()) {
            waiting.remove(element);
        }
        Map<String, Long> running = inFlight.get(element);
        if (running == null || running.remove(jobId) == null) {
            return Optional.empty(); // it was waiting, not running: nothing freed
        }
        if (running.isEmpty()) {
            inFlight.remove(element);
        }
        line = waiting.get(element);
        return line == null || line.isEmpty() ? Optional.empty() : Optional.of(line.peekFirst());
    }

    synchronized int inFlight(String element) {
        Map<String, Long> running = inFlight.get(element);
        return running == null ? 0 : running.size();
    }

    synchronized int waiting(String element) {
        Deque<String> line = waiting.get(element);
        return line == null ? 0 : line.size();
    }

    /** Jobs waiting for their element's turn, over all elements (for the metrics). */
    synchronized int waitingTotal() {
        return waiting.values().stream().mapToInt(Deque::size).sum();
    }
}
