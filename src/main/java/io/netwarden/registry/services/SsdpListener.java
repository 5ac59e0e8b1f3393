package io.netwarden.registry.services;

import io.netwarden.registry.description.DescriptionException;
import io.netwarden.registry.ssdp.DropReason;
import io.netwarden.registry.ssdp.MulticastSsdpSocket;
import io.netwarden.registry.ssdp.SsdpMessage;
import io.netwarden.registry.ssdp.SsdpMetrics;
import io.netwarden.registry.ssdp.SsdpParser;
import io.netwarden.registry.ssdp.SsdpSocket;
import io.netwarden.registry.whitelist.SearchTerm;
import io.netwarden.registry.whitelist.SearchTerms;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The registry's ears and voice on SSDP:
 *
 * <pre>
 *   reader (one virtual thread): socket.receive ─▶ parse ─ dropped ─▶ counted by reason (debug log)
 *                                  ├ unsolicited (a NOTIFY to the answer port, an answer on the group, an answer for
 *                                  │  a target not searched for within MX + ANSWER_GRACE) ─▶ counted, dropped
 *                                  └ accepted ─▶ Registrations.handle ─ not whitelisted ─▶ counted │ else accepted
 *                                    (a new service's description is fetched on a thread of its own, and counted
 *                                    when done: accepted, or dropped by the description's reason)
 *   searcher (one virtual thread): at start, then every search-interval ─▶ M-SEARCH: one per whitelisted URN (up to
 *        MAX_TARGETED), else one ssdp:all
 *        └ after the first one and the resync window: this instance's sightings from before its start that nothing
 *          renewed are withdrawn (devices that left while it was down)
 * </pre>
 *
 * A handler failure (the database away) is logged and the datagram lost: the device repeats itself. Thread safety: the
 * two threads share only thread-safe parts; start and close are called once each.
 */
public final class SsdpListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SsdpListener.class);
    /** More whitelisted URNs than this: one ssdp:all search rather than one per URN. */
    static final int MAX_TARGETED = 16;
    /** MX: how many seconds devices may wait before they answer. */
    static final int MX = 2;
    /** How long after MX an answer to a search is still taken (the network's and the device's delay). */
    static final Duration ANSWER_GRACE = Duration.ofSeconds(3);

    private final SsdpSocket socket;
    private final Registrations registrations;
    private final SearchTerms whitelist;
    private final SsdpMetrics metrics;
    private final Duration searchInterval;
    private final Duration resyncWindow;
    private final String userAgent;
    private final Clock clock;
    private Thread reader;
    private Thread searcher;
    /** Targets searched for (or ssdp:all), and until when their answers are taken. */
    private final Map<String, Instant> answersUntil = new ConcurrentHashMap<>();

    public SsdpListener(SsdpSocket socket, Registrations registrations, SearchTerms whitelist, SsdpMetrics metrics,
            Duration searchInterval, Duration resyncWindow, String userAgent, Clock clock) {
        this.socket = socket;
        this.registrations = registrations;
        this.whitelist = whitelist;
        this.metrics = metrics;
        this.searchInterval = searchInterval;
        this.resyncWindow = resyncWindow;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    public synchronized void start() {
        Instant started = clock.instant();
        reader = Thread.ofVirtual().name("registry-ssdp-reader").start(this::read);
        searcher = Thread.ofVirtual().name("registry-ssdp-search").start(() -> search(started));
        LOG.infof("registry listening for SSDP on %s", socket.interfaces());
    }

    private void read() {
        while (true) {
            SsdpSocket.Datagram datagram;
            try {
                datagram = socket.receive();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warnf("SSDP receive failed: %s", e.getMessage());
                try {
                    Thread.sleep(100); // an error that repeats must not spin
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            }
            metrics.received();
            handle(datagram);
        }
    }

    /** One datagram: parsed, counted, and what is accepted handed to the registrations. */
    void handle(SsdpSocket.Datagram datagram) {
        if (datagram.source().isLoopbackAddress() || datagram.source().isAnyLocalAddress()
                || datagram.source().isMulticastAddress()) {
            metrics.dropped(DropReason.BAD_SOURCE);
            return;
        }
        SsdpParser.Result result = SsdpParser.parse(datagram.data(), datagram.length(), datagram.source());
        if (result instanceof SsdpParser.Dropped dropped) {
            metrics.dropped(dropped.reason());
            if (dropped.reason() != DropReason.SEARCH_REQUEST) {
                LOG.debugf("SSDP datagram from %s dropped: %s (%s)", datagram.source().getHostAddress(),
                        dropped.reason().label(), dropped.detail());
            }
            return;
        }
        SsdpMessage message = ((SsdpParser.Accepted) result).message();
        boolean isAnswer = message.kind() == SsdpMessage.Kind.SEARCH_RESPONSE;
        if (isAnswer != datagram.answer() || isAnswer && !searched(message.target())) {
            metrics.dropped(DropReason.UNSOLICITED);
            LOG.debugf("SSDP datagram from %s dropped: unsolicited (%s to the %s)", datagram.source().getHostAddress(),
                    isAnswer ? "an answer" : "an advertisement", datagram.answer() ? "answer port" : "multicast group");
            return;
        }
        try {
            registrations.handle(message)
                    .whenComplete((outcome, failure) -> counted(datagram, outcome, failure));
        } catch (RuntimeException e) {
            counted(datagram, null, e);
        }
    }

    private void counted(SsdpSocket.Datagram datagram, Registrations.Outcome outcome, Throwable failure) {
        if (failure == null) {
            switch (outcome) {
                case NOT_WHITELISTED -> metrics.dropped(DropReason.NOT_WHITELISTED);
                case REFUSED -> metrics.dropped(DropReason.TOO_MANY_SERVICES);
                case CONFLICT -> metrics.dropped(DropReason.ADDRESS_CONFLICT);
                case UNKNOWN -> metrics.dropped(DropReason.UNKNOWN_USN);
                default -> metrics.accepted();
            }
            return;
        }
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof DescriptionException unusable) {
            metrics.dropped(unusable.reason()); // logged once per fetch where it was fetched
        } else {
            LOG.warnf("an advertisement from %s was not stored (%s); the device repeats it", datagram.source().getHostAddress(),
                    cause.getMessage());
        }
    }

    private void search(Instant started) {
        try {
            searchNow();
            Thread.sleep(resyncWindow);
            registrations.resync(started);
            while (true) {
                Thread.sleep(searchInterval);
                searchNow();
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.warnf("SSDP search loop ended: %s", e.toString());
        }
    }

    /** Sends the searches now: one per whitelisted URN, or ssdp:all when there are many. */
    public void searchNow() {
        List<SearchTerm> terms = whitelist.list();
        List<String> targets = terms.isEmpty() ? List.of() : terms.size() > MAX_TARGETED ? List.of("ssdp:all")
                : terms.stream().map(SearchTerm::urn).toList();
        for (String target : targets) {
            try {
                expectAnswers(target);
                socket.search(search(target, userAgent));
            } catch (IOException e) {
                LOG.warnf("M-SEARCH for %s not sent: %s", target, e.getMessage());
            }
        }
    }

    /** Sends one M-SEARCH for {@code target} now (a URN just whitelisted: the devices already up answer it). */
    public void searchFor(String target) {
        try {
            expectAnswers(target);
            socket.search(search(target, userAgent));
        } catch (IOException e) {
            LOG.warnf("M-SEARCH for %s not sent: %s", target, e.getMessage());
        }
    }

    /** Answers for {@code target} are taken from now until MX + ANSWER_GRACE from now. */
    private void expectAnswers(String target) {
        Instant now = clock.instant();
        answersUntil.values().removeIf(until -> until.isBefore(now)); // few entries: one per whitelisted URN at most
        answersUntil.put(target, now.plusSeconds(MX).plus(ANSWER_GRACE));
    }

    /** Whether an answer for {@code target} is one to a search of the last MX + ANSWER_GRACE. */
    private boolean searched(String target) {
        Instant now = clock.instant();
        for (String key : new String[] {target, "ssdp:all"}) {
            Instant until = answersUntil.get(key);
            if (until != null && !now.isAfter(until)) {
                return true;
            }
        }
        return false;
    }

    /** An M-SEARCH for {@code target}, as UDA 1.1 has it. */
    static byte[] search(String target, String userAgent) {
        return ("M-SEARCH * HTTP/1.1\r\nHOST: " + MulticastSsdpSocket.GROUP.getHostAddress() + ":1900\r\n"
                + "MAN: \"ssdp:discover\"\r\nMX: " + MX + "\r\nST: " + target + "\r\nUSER-AGENT: " + userAgent + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public synchronized void close() {
        socket.close();
        if (searcher != null) {
            searcher.interrupt();
        }
        if (reader != null) {
            reader.interrupt();
        }
    }
}
