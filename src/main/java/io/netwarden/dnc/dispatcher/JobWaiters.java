package io.netwarden.dnc.dispatcher;

import io.netwarden.dnc.jobs.JobEntity;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Callers waiting for a job to finish ({@code ?wait=}). A waiter completes with the finished job as stored when this
 * process recorded the end itself, or with {@code null} when another dispatcher did (then the caller reads the job).
 * Thread-safe: concurrent map of concurrent sets.
 */
@Singleton
public class JobWaiters {

    private final Map<String, Set<CompletableFuture<JobEntity>>> waiting = new ConcurrentHashMap<>();

    CompletableFuture<JobEntity> register(String jobId) {
        CompletableFuture<JobEntity> future = new CompletableFuture<>();
        waiting.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(future);
        future.whenComplete((v, e) -> waiting.computeIfPresent(jobId, (k, set) -> {
            set.remove(future);
            return set.isEmpty() ? null : set;
        }));
        return future;
    }

    /** The job ended; {@code job} is how it ended, or null when only the news came (from another dispatcher). */
    void finished(String jobId, JobEntity job) {
        Set<CompletableFuture<JobEntity>> futures = waiting.remove(jobId);
        if (futures != null) {
            futures.forEach(f -> f.complete(job));
        }
    }
}
