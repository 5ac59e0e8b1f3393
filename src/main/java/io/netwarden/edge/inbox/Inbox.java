package io.netwarden.edge.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import io.netwarden.edge.node.EdgeNode;
import io.netwarden.platform.api.ApiException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The steward inbox: JSON appended to the inbox file ({@code <data dir>/inmsg.txt}) is sent as if it had been posted
 * to {@code /api/v1/edge/messages}, and taken out of the file.
 *
 * <pre>
 *   every interval: file (not a link, not group/other-writable) ─▶ first 8 MiB ─▶ InboxEntries.split
 *     VALUE ─▶ parse ─▶ submit ─ ok ─▶ gone from the file
 *                              └ 400 (not a valid message) ─▶ log + error log (line number, reason; no content) ─▶ gone
 *                              └ anything else (database away…) ─▶ it and all after it stay for the next round
 *     JUNK ─▶ log + error log ─▶ gone      OPEN ─▶ stays; still open 2 s after it was first seen (growing or not)
 *                                                  ─▶ reported, cut at the next line that opens a value
 *   rewrite in place (same file, so `cat >> inmsg.txt` running meanwhile keeps its bytes): what stays + what came since
 * </pre>
 *
 * Entries are sent before they leave the file: a crash in between sends them again after the restart (new ids).
 * Splitting works on bytes read as ISO-8859-1, so offsets are byte offsets (every byte of a UTF-8 multi-byte character
 * is above 0x7F and never a bracket, quote or newline). Thread safety: one virtual thread polls; nothing is shared.
 */
public final class Inbox implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Inbox.class);
    static final int MAX_BYTES = 8 * 1024 * 1024;
    static final Duration OPEN_GRACE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String METHOD = "inbox";

    /** Sends a body as the API does; an invalid one is an {@link ApiException} with status 400. */
    @FunctionalInterface
    public interface Submitter {
        List<EdgeMessage> submit(JsonNode body);
    }

    private final Path file;
    private final String self;
    private final Duration interval;
    private final Submitter submitter;
    private final EdgeNode.ErrorSink errors;
    private final Clock clock;
    private Thread poller;
    private byte[] openSeen;
    private Instant openSince;
    private String refusedBecause;

    public Inbox(Path file, String self, Duration interval, Submitter submitter, EdgeNode.ErrorSink errors, Clock clock) {
        this.file = file;
        this.self = self;
        this.interval = interval;
        this.submitter = submitter;
        this.errors = errors;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /** Creates the file (mode 600) when it is missing, and starts polling it. */
    public synchronized void start() {
        if (poller != null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException exists) {
            // appended to before we started: sent in the first round
        } catch (IOException e) {
            LOG.warnf("inbox file %s cannot be created (%s); it is read once it exists", file, e.getMessage());
        }
        poller = Thread.ofVirtual().name("edge-inbox").start(this::run);
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.interrupt();
            poller = null;
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                poll();
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warnf("inbox file %s: %s", file, e.toString());
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** One round: sends what is complete, reports what is broken, rewrites the file with the rest. */
    void poll() throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || !safe()) {
            return;
        }
        byte[] bytes;
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            size = channel.size();
            if (size == 0) {
                openSeen = null;
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, MAX_BYTES));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read what is there
            }
            bytes = Arrays.copyOf(buffer.array(), buffer.position());
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int keepFrom = text.length();
        boolean openNow = false;
        entries:
        for (InboxEntries.Entry entry : InboxEntries.split(text)) {
            switch (entry.kind()) {
                case VALUE -> {
                    if (!send(text, entry, bytes)) {
                        keepFrom = entry.start();
                        break entries;
                    }
                }
                case JUNK -> broken(text, entry.start(), "is not a JSON message object or array");
                case OPEN -> {
                    byte[] open = Arrays.copyOfRange(bytes, entry.start(), entry.end());
                    // the same open entry, perhaps grown since: its grace runs from when it was first seen
                    if (openSeen == null || !Arrays.equals(open, 0, Math.min(open.length, openSeen.length), openSeen, 0,
                            Math.min(open.length, openSeen.length)) || open.length < openSeen.length) {
                        openSince = clock.instant();
                    }
                    openSeen = open;
                    boolean tooLarge = entry.start() == 0 && size > MAX_BYTES;
                    if (tooLarge || !clock.instant().isBefore(openSince.plus(OPEN_GRACE))) {
                        broken(text, entry.start(), tooLarge ? "is larger than " + MAX_BYTES + " bytes"
                                : "was never closed (a '[' or '{' without its end)");
                        keepFrom = InboxEntries.nextValueLine(text, entry.start());
                        openSeen = null;
                    } else {
                        openNow = true;
                        keepFrom = entry.start();
                    }
                }
            }
        }
        if (!openNow && keepFrom == text.length()) {
            openSeen = null;
        }
        if (keepFrom > 0) {
            rewrite(Arrays.copyOfRange(bytes, keepFrom, bytes.length), bytes.length);
        }
    }

    /** True when sent or when it can never be (reported); false when it should be tried again later. */
    private boolean send(String text, InboxEntries.Entry entry, byte[] bytes) {
        JsonNode body;
        try {
            body = JSON.readTree(Arrays.copyOfRange(bytes, entry.start(), entry.end()));
        } catch (JsonProcessingException e) {
            int line = InboxEntries.line(text, entry.start())
                    + (e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr() - 1));
            broken(text, entry.start(), "is not valid JSON (near line " + line + ")");
            return true;
        } catch (IOException e) {
            broken(text, entry.start(), "cannot be read as JSON");
            return true;
        }
        try {
            List<EdgeMessage> sent = submitter.submit(body);
            LOG.infof("inbox: line %d sent %s", InboxEntries.line(text, entry.start()),
                    sent.stream().map(m -> m.id() + " to " + m.subject()).toList());
            return true;
        } catch (RuntimeException e) {
            if (e instanceof ApiException api && api.status() == 400) {
                broken(text, entry.start(), e.getMessage());
                return true;
            }
            LOG.warnf("inbox: line %d not sent yet (%s); tried again", InboxEntries.line(text, entry.start()), e.getMessage());
            return false;
        }
    }

    private void broken(String text, int offset, String why) {
        String report = file.getFileName() + " line " + InboxEntries.line(text, offset) + ": the entry " + why + "; skipped";
        LOG.warnf("inbox: %s", report);
        try {
            errors.report(self, "inbox-" + clock.millis(), METHOD, EdgeError.INVALID_MESSAGE, report);
        } catch (RuntimeException e) {
            LOG.debugf("inbox: the broken entry was not reported to the central: %s", e.getMessage());
        }
    }

    /** Leaves {@code keep} followed by whatever was appended after the first {@code read} bytes, in the same file. */
    private void rewrite(byte[] keep, long read) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer appended = ByteBuffer.allocate((int) Math.max(0, channel.size() - read));
            channel.position(read);
            while (appended.hasRemaining() && channel.read(appended) > 0) {
                // what came meanwhile
            }
            appended.flip();
            ByteBuffer out = ByteBuffer.allocate(keep.length + appended.remaining()).put(keep).put(appended).flip();
            channel.position(0);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.truncate(keep.length + appended.limit());
        }
    }

    /** Not a symbolic link, and nobody but its owner may write it: whoever can, sends signed commands as this node. */
    private boolean safe() throws IOException {
        String refusal = null;
        if (Files.isSymbolicLink(file)) {
            refusal = "it is a symbolic link";
        } else if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                refusal = "group or others may write it (chmod 600)";
            }
        }
        if (refusal != null && !refusal.equals(refusedBecause)) {
            LOG.errorf("inbox file %s is not read: %s", file, refusal);
        }
        refusedBecause = refusal;
        return refusal == null;
    }
}
