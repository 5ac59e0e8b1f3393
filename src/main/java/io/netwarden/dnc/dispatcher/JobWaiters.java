package io.netwarden.dnc.dispatcher;

import io.netwarden.dnc.jobs.JobView;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers waiting for a job to finish ({@code ?wait=}). A waiter completes with the finished job when this process
 * recorded the end itself, or with {@code null} when another dispatcher did (then the caller reads the job). Thread-safe:
 * concurrent map of concurrent sets.
 */
@Singleton
public class JobWaiters {

    private final Map<String, Set<CompletableFuture<JobView>>> waiting = new ConcurrentHashMap<>();

    CompletableFuture<JobView> register(String jobId) {
        CompletableFuture<JobView> future = new CompletableFuture<>();
        waiting.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(future);
        future.whenComplete((v, e) -> waiting.computeIfPresent(jobId, (k, set) -> {
            set.remove(future);
            return set.isEmpty() ? null : set;
        }));
        return future;
    }

    /** The job ended; {@code view} is how it ended, or null when only the news came (from another dispatcher). */
    void finished(String jobId, JobView view) {
        Set<CompletableFuture<JobView>> futures = waiting.remove(jobId);
        if (futures != null) {
            futures.forEach(f -> f.complete(view));
        }
    }
}
