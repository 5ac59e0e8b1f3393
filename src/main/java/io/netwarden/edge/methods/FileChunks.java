package io.netwarden.edge.methods;

import io.netwarden.edge.messages.EdgeMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code copyFile} on the sending node: a message {@code ["<source>", "<destination>"]} becomes one message per
 * {@link CopyFile#CHUNK} of the source file, each signed and delivered like any command, the last one under the
 * message's own id (so its answer is the answer to the copy).
 *
 * <pre>
 *   copyFile [source, destination] ─▶ source under netwarden.edge.files.allow, ≤ max-copy-bytes ─▶ SHA-256
 *     ─▶ <id>~0 … <id>~(n-2), <id>: ["chunk", <id>, destination, i, n, size, sha256, base64]
 * </pre>
 *
 * Every other message passes through unchanged. The file is read again at each publication (the first, and a retry);
 * a file changed in between is sent as it is then, with its new hash. Thread safety: immutable.
 */
public final class FileChunks {

    private final AllowedDirectories allowed;
    private final long maxBytes;

    public FileChunks(AllowedDirectories allowed, long maxBytes) {
        this.allowed = allowed;
        this.maxBytes = maxBytes;
    }

    /** Why a copy cannot be sent: the API's 400, or a failed message when found at publication. */
    public static final class NotSendable extends RuntimeException {
        NotSendable(String message) {
            super(message);
        }
    }

    /**
     * Checks a copyFile request's data before it is stored: the source exists, may be sent and is not too large. Returns
     * its size: what each recipient's copy puts in the stream.
     */
    public long check(List<String> data) {
        try {
            return Files.size(source(data));
        } catch (IOException e) {
            throw new NotSendable("the source file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The messages to publish for {@code message}: itself, or the chunks of its file. */
    public List<EdgeMessage> expand(EdgeMessage message) {
        if (!message.method().equals(CopyFile.NAME) || message.kind() != EdgeMessage.Kind.command) {
            return List.of(message);
        }
        Path source = source(message.data());
        try {
            long size = Files.size(source);
            String sha256 = CopyFile.sha256(source);
            int count = (int) Math.max(1, (size + CopyFile.CHUNK - 1) / CopyFile.CHUNK);
            List<EdgeMessage> chunks = new ArrayList<>(count);
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                for (int i = 0; i < count; i++) {
                    int length = (int) Math.min(CopyFile.CHUNK, size - (long) i * CopyFile.CHUNK);
                    ByteBuffer buffer = ByteBuffer.allocate(length);
                    while (buffer.hasRemaining() && in.read(buffer, (long) i * CopyFile.CHUNK + buffer.position()) > 0) {
                        // read the chunk
                    }
                    if (buffer.hasRemaining()) {
                        throw new NotSendable("the source file shrank while it was read");
                    }
                    String id = i == count - 1 ? message.id() : message.id() + "~" + i;
                    CopyFile.Chunk chunk = new CopyFile.Chunk(message.id(), message.data().get(1), i, count, size, sha256,
                            buffer.array());
                    chunks.add(new EdgeMessage(id, message.fromNode(), message.toNode(), message.kind(), message.method(),
                            chunk.data(), message.timeout(), message.expiresAt(), Optional.empty(), Optional.empty()));
                }
            }
            return chunks;
        } catch (IOException e) {
            throw new NotSendable("the source file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Path source(List<String> data) {
        if (data.size() != 2) {
            throw new NotSendable("copyFile data is [source path on this node, destination path on the receiving node]");
        }
        if (!data.get(1).startsWith("/")) {
            throw new NotSendable("the destination must be an absolute path");
        }
        Path source = allowed.existingFile(data.get(0)).orElseThrow(() -> new NotSendable("the source is not a file under"
                + " this node's allowed directories (netwarden.edge.files.allow)"));
        try {
            if (Files.size(source) > maxBytes) {
                throw new NotSendable("the source is larger than " + maxBytes + " bytes (netwarden.edge.files.max-copy-bytes)");
            }
        } catch (IOException e) {
            throw new NotSendable("the source file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return source;
    }
}
