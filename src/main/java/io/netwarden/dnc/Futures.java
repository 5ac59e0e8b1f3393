package io.netwarden.dnc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for the asynchronous job path with its failures as thrown, not wrapped in a {@link CompletionException}. */
public final class Futures {

    private Futures() {
    }

    /** The failure itself: a {@link CompletionException}'s cause, anything else as is. */
    public static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Blocks for the stage; its runtime failure (an {@code ApiException}, say) is rethrown as it was thrown. */
    public static <T> T await(CompletableFuture<T> stage) {
        try {
            return stage.join();
        } catch (CompletionException e) {
            if (cause(e) instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause(e).getMessage(), cause(e));
        }
    }

    /** The stage with its failure unwrapped, for callers that map exceptions by type (the REST layer). */
    public static <T> CompletableFuture<T> unwrapped(CompletableFuture<T> stage) {
        return stage.handle((value, error) -> error == null ? CompletableFuture.completedFuture(value)
                : CompletableFuture.<T>failedFuture(cause(error))).thenCompose(f -> f);
    }
}
