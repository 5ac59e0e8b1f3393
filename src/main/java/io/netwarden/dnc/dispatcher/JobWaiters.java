package io.netwarden.dnc.dispatcher;

import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Callers waiting for a job to finish ({@code ?wait=}). Thread-safe: concurrent map of concurrent sets. */
@Singleton
public class JobWaiters {

    private final Map<String, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();

    CompletableFuture<Void> register(String jobId) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiting.computeIfAbsent(jobId, k -> ConcurrentHashMap.newKeySet()).add(future);
        future.whenComplete((v, e) -> waiting.computeIfPresent(jobId, (k, set) -> {
            set.remove(future);
            return set.isEmpty() ? null : set;
        }));
        return future;
    }

    void finished(String jobId) {
        Set<CompletableFuture<Void>> futures = waiting.remove(jobId);
        if (futures != null) {
            futures.forEach(f -> f.complete(null));
        }
    }
}
