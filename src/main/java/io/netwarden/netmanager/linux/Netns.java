package io.netwarden.netmanager.linux;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a piece of work inside a named network namespace: on a fresh platform thread that joins the namespace
 * ({@code setns}) and ends with the work. What the work opens there — a TUN device, a socket — stays in that namespace
 * for its whole life, whichever thread uses it later. Without a namespace the work runs on the calling thread.
 */
public final class Netns {

    private Netns() {
    }

    public static <T> T call(Optional<String> netns, Callable<T> work) {
        if (netns.isEmpty()) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new LinuxNetException(e.toString());
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-" + netns.get()).daemon().start(() -> {
            try {
                int fd = Native.open("/run/netns/" + netns.get(), Native.O_RDONLY | Native.O_CLOEXEC);
                try {
                    Native.setns(fd, Native.CLONE_NEWNET, netns.get());
                } finally {
                    Native.close(fd);
                }
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new LinuxNetException(e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinuxNetException("interrupted while working in namespace " + netns.get());
        }
    }
}
