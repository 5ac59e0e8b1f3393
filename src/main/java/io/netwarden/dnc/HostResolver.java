package io.netwarden.dnc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns an element's address into an IP address, on the agent, when a job runs: an IP literal at once and without a
 * lookup, a host name through the system resolver but never for longer than the timeout (the JDK's lookup cannot be
 * bounded by itself and can take many seconds when a name server does not answer). The API never resolves names: an
 * element is stored as it was given.
 *
 * <p>Thread safety: stateless; each lookup runs on a virtual thread of its own.
 */
public final class HostResolver {

    /** The lookup itself; the system resolver in production, a fake in logic tests. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress lookup(String host) throws UnknownHostException;
    }

    /** How long a name may take to resolve unless said otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Lookup lookup;
    private final Duration timeout;

    public HostResolver(Lookup lookup, Duration timeout) {
        this.lookup = lookup;
        this.timeout = timeout;
    }

    public static HostResolver system() {
        return new HostResolver(InetAddress::getByName, DEFAULT_TIMEOUT);
    }

    /** The address; an {@link UnknownHostException} saying why when there is none in time. */
    public InetAddress resolve(String host) throws UnknownHostException {
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException notALiteral) {
            // a name: look it up below
        }
        try (var thread = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<InetAddress> found = thread.submit(() -> lookup.lookup(host));
            try {
                return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                found.cancel(true);
                throw new UnknownHostException("cannot resolve " + host + " within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw new UnknownHostException("cannot resolve " + host);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                found.cancel(true);
                throw new UnknownHostException("stopped while resolving " + host);
            }
        }
    }
}
