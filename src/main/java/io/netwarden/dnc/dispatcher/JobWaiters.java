package io.netwarden.dnc.dispatcher;

import io.netwarden.dnc.jobs.JobEntity;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers waiting for a job to finish ({@code ?wait=}, gRPC Watch). A waiter completes with the finished job as stored
 * when this process recorded the end itself, or with {@code null} when another dispatcher did (then the caller reads the
 * job). Thread-safe: a concurrent map of concurrent sets.
 */
@Singleton
public class JobWaiters {

    /** The callers waiting for one job, and since when the first of them waits. */
    private record Waiting(Instant since, Set<CompletableFuture<JobEntity>> futures) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    CompletableFuture<JobEntity> register(String jobId) {
        CompletableFuture<JobEntity> future = new CompletableFuture<>();
        waiting.computeIfAbsent(jobId, k -> new Waiting(Instant.now(), ConcurrentHashMap.newKeySet())).futures().add(future);
        future.whenComplete((v, e) -> waiting.computeIfPresent(jobId, (k, w) -> {
            w.futures().remove(future);
            return w.futures().isEmpty() ? null : w;
        }));
        return future;
    }

    /** The job ended; {@code job} is how it ended, or null when only the news came (from another dispatcher). */
    void finished(String jobId, JobEntity job) {
        Waiting w = waiting.remove(jobId);
        if (w != null) {
            w.futures().forEach(f -> f.complete(job));
        }
    }

    /** Up to {@code limit} jobs someone has been waiting for since before {@code cutoff}. */
    List<String> waitingSince(Instant cutoff, int limit) {
        return waiting.entrySet().stream().filter(e -> e.getValue().since().isBefore(cutoff)).limit(limit)
                .map(Map.Entry::getKey).toList();
    }
}
