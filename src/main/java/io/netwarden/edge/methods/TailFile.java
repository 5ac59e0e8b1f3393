package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code tailFile}: the last lines of a file under one of the allowed directories. {@code data: [path]} or
 * {@code [path, lines]} (default 10, at most 1000).
 *
 * <pre>
 *   path ─ absolute? ─ real path (symbolic links resolved) under an allowed directory's real path? ─ regular file?
 *        └ any "no" ─▶ NOT_ALLOWED / FAILED, without saying what exists outside the allowed directories
 *   read backwards from the end, at most maxBytes ─▶ the last n lines (truncated when the bytes ran out first)
 * </pre>
 *
 * Thread safety: immutable; each call opens its own file.
 */
public final class TailFile implements EdgeMethod {

    static final int DEFAULT_LINES = 10;
    static final int MAX_LINES = 1000;

    private final AllowedDirectories allowed;
    private final int maxBytes;

    /** @param allowed directories whose files may be read */
    public TailFile(AllowedDirectories allowed, int maxBytes) {
        this.allowed = allowed;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean quick() {
        return true;
    }

    @Override
    public String name() {
        return "tailFile";
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) {
        List<String> data = message.data();
        if (data.isEmpty() || data.size() > 2) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "tailFile needs data: [path] or [path, lines]");
        }
        int lines = DEFAULT_LINES;
        if (data.size() == 2) {
            try {
                lines = Integer.parseInt(data.get(1).strip());
            } catch (NumberFormatException e) {
                lines = -1;
            }
            if (lines < 1 || lines > MAX_LINES) {
                return MethodResult.failed(EdgeError.INVALID_MESSAGE, "lines must be 1-" + MAX_LINES);
            }
        }
        if (!data.getFirst().startsWith("/")) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, "the path must be absolute");
        }
        Optional<Path> allowedFile = allowed.existingFile(data.getFirst());
        if (allowedFile.isEmpty()) {
            return MethodResult.failed(EdgeError.NOT_ALLOWED, "not a file under the allowed directories");
        }
        Path file = allowedFile.get();
        try {
            return tail(file, lines);
        } catch (IOException e) {
            return MethodResult.failed(EdgeError.FAILED, "cannot read it (" + e.getClass().getSimpleName() + ")");
        }
    }

    private MethodResult tail(Path file, int lines) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long end = in.length();
            long start = end;
            int newlines = 0;
            byte[] block = new byte[8192];
            // a last line without its line end counts as a line too
            boolean skipFinal = end > 0 && readByte(in, end - 1) == '\n';
            long scanEnd = skipFinal ? end - 1 : end;
            search:
            while (start > 0 && end - start < maxBytes) {
                int size = (int) Math.min(block.length, Math.min(start, maxBytes - (end - start)));
                long from = start - size;
                in.seek(from);
                in.readFully(block, 0, size);
                for (int i = size - 1; i >= 0; i--) {
                    if (from + i < scanEnd && block[i] == '\n' && ++newlines == lines) {
                        start = from + i + 1;
                        break search;
                    }
                }
                start = from;
            }
            boolean truncated = end - start >= maxBytes && start > 0 && newlines < lines;
            byte[] bytes = new byte[(int) (end - start)];
            in.seek(start);
            in.readFully(bytes);
            return MethodResult.ok(new String(bytes, StandardCharsets.UTF_8), 0, truncated);
        }
    }

    private static int readByte(RandomAccessFile in, long at) throws IOException {
        in.seek(at);
        return in.read();
    }
}
