package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code textLogging}: appends the message's data, one item per line, to {@code <logs dir>/<fromNode>.log} on the
 * receiving node (the seed's log forwarding). The file name is the sender's node name, which is a subject token
 * (letters, digits, {@code _}, {@code -}), so it cannot point outside the directory. Control characters other than tab
 * are written as {@code ?} (a line cannot forge another line or drive a terminal). A file that has reached
 * {@code maxFileBytes} takes no more (FAILED, saying so) until it is rotated away. Thread safety: appends are
 * serialised by one lock per instance.
 */
public final class TextLogging implements EdgeMethod {

    private final Path directory;
    private final long maxFileBytes;
    private final ReentrantLock lock = new ReentrantLock();

    public TextLogging(Path directory, long maxFileBytes) {
        this.directory = directory;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public java.util.Set<EdgeMessage.Kind> kinds() {
        return java.util.EnumSet.allOf(EdgeMessage.Kind.class);
    }

    @Override
    public boolean quick() {
        return true;
    }

    @Override
    public String name() {
        return "textLogging";
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) {
        StringBuilder text = new StringBuilder();
        for (String item : message.data()) {
            item.codePoints().forEach(c -> text.appendCodePoint(c == '\t' || (c >= 0x20 && c != 0x7f
                    && Character.getType(c) != Character.FORMAT && c != 0x2028 && c != 0x2029) ? c : '?'));
            text.append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Path file = directory.resolve(message.fromNode() + ".log");
        lock.lock();
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (size + bytes.length > maxFileBytes) {
                return MethodResult.failed(EdgeError.FAILED, file.getFileName() + " has reached " + maxFileBytes
                        + " bytes; rotate it away to log more");
            }
            Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            return MethodResult.ok("", 0, false);
        } catch (IOException e) {
            return MethodResult.failed(EdgeError.FAILED, "cannot append to " + file.getFileName() + " ("
                    + e.getClass().getSimpleName() + ")");
        } finally {
            lock.unlock();
        }
    }
}
