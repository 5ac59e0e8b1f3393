package io.netwarden.edge.methods;

import io.netwarden.edge.EdgeError;
import io.netwarden.edge.messages.EdgeMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code copyFile} on the receiving node: takes the chunks {@link FileChunks} made of a file on the sending node and,
 * with the last one, puts the file in place.
 *
 * <pre>
 *   chunk i of n: ["chunk", transfer, destination, i, n, size, sha256, base64]
 *     destination under netwarden.edge.files.allow? ─ no ─▶ NOT_ALLOWED
 *     ─▶ written at i × CHUNK into <data>/edge-transfers/<transfer>.part
 *     last chunk ─▶ size and SHA-256 of the part match? ─ no ─▶ FAILED (a chunk is missing or changed), part removed
 *                 ─▶ moved into the destination's directory, then renamed over it (readers never see half a file)
 * </pre>
 *
 * Each chunk is its own message, so it runs at most once and in order like any command. Thread safety: a node runs
 * one command at a time; chunks of different transfers use different part files.
 */
public final class CopyFile implements EdgeMethod {

    public static final String NAME = "copyFile";
    /** Raw bytes per chunk: 512 KiB, under 700 KB in base64, inside a message's 1 MB. */
    public static final int CHUNK = 512 * 1024;
    private static final Pattern TRANSFER = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final AllowedDirectories allowed;
    private final Path transfers;
    private final long maxBytes;

    public CopyFile(AllowedDirectories allowed, Path transfers, long maxBytes) {
        this.allowed = allowed;
        this.transfers = transfers;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean quick() {
        return true;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One chunk as the data of a message. */
    record Chunk(String transfer, String destination, int index, int count, long size, String sha256, byte[] bytes) {

        List<String> data() {
            return List.of("chunk", transfer, destination, Integer.toString(index), Integer.toString(count),
                    Long.toString(size), sha256, Base64.getEncoder().encodeToString(bytes));
        }
    }

    @Override
    public MethodResult run(EdgeMessage message, Duration timeout) {
        Chunk chunk;
        try {
            chunk = chunk(message.data());
        } catch (IllegalArgumentException e) {
            return MethodResult.failed(EdgeError.INVALID_MESSAGE, e.getMessage());
        }
        if (chunk.size() > maxBytes) {
            return MethodResult.failed(EdgeError.NOT_ALLOWED, "the file is larger than this node takes ("
                    + maxBytes + " bytes, netwarden.edge.files.max-copy-bytes)");
        }
        Optional<Path> destination = allowed.newFile(chunk.destination());
        if (destination.isEmpty()) {
            return MethodResult.failed(EdgeError.NOT_ALLOWED, "the destination is not a file (nor a symbolic link or"
                    + " directory) in an existing directory under the allowed directories (netwarden.edge.files.allow)");
        }
        Path part = transfers.resolve(chunk.transfer() + ".part");
        try {
            if (!Files.isDirectory(transfers)) {
                Files.createDirectories(transfers);
                Files.setPosixFilePermissions(transfers, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(chunk.bytes());
                long at = (long) chunk.index() * CHUNK;
                while (bytes.hasRemaining()) {
                    at += out.write(bytes, at);
                }
            }
            if (chunk.index() < chunk.count() - 1) {
                return MethodResult.ok("chunk " + (chunk.index() + 1) + " of " + chunk.count(), 0, false);
            }
            return finish(part, chunk, destination.get());
        } catch (IOException e) {
            deleteQuietly(part);
            return MethodResult.failed(EdgeError.FAILED, "the file could not be written (" + e.getClass().getSimpleName() + ")");
        }
    }

    private MethodResult finish(Path part, Chunk chunk, Path destination) throws IOException {
        if (Files.size(part) != chunk.size() || !sha256(part).equals(chunk.sha256())) {
            deleteQuietly(part);
            return MethodResult.failed(EdgeError.FAILED, "the file that arrived does not match its size and SHA-256"
                    + " (a chunk is missing or was changed); nothing was written to the destination");
        }
        Path staged = destination.resolveSibling("." + destination.getFileName() + "." + chunk.transfer() + ".tmp");
        try {
            Files.move(part, staged, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(staged, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staged, destination, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            deleteQuietly(staged);
            deleteQuietly(part);
        }
        return MethodResult.ok("copied " + chunk.size() + " bytes to " + destination + " (sha256 " + chunk.sha256() + ")", 0,
                false);
    }

    static Chunk chunk(List<String> data) {
        if (data.size() != 8 || !data.get(0).equals("chunk")) {
            throw new IllegalArgumentException("copyFile is sent as [source, destination]; the sending node cuts it into"
                    + " chunks");
        }
        String transfer = data.get(1);
        if (!TRANSFER.matcher(transfer).matches()) {
            throw new IllegalArgumentException("the transfer id is 1-64 letters, digits and dashes");
        }
        int index = number(data.get(3), "index");
        int count = number(data.get(4), "count");
        long size = Long.parseLong(requireDigits(data.get(5), "size"));
        if (!SHA256.matcher(data.get(6)).matches()) {
            throw new IllegalArgumentException("sha256 is 64 lower-case hex digits");
        }
        long expectedCount = Math.max(1, (size + CHUNK - 1) / CHUNK);
        if (count != expectedCount || index >= count) {
            throw new IllegalArgumentException("chunk " + index + " of " + count + " does not fit a file of " + size + " bytes");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data.get(7));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the chunk is not base64");
        }
        long expectedLength = index < count - 1 ? CHUNK : size - (long) (count - 1) * CHUNK;
        if (bytes.length != expectedLength) {
            throw new IllegalArgumentException("chunk " + index + " has " + bytes.length + " bytes, not " + expectedLength);
        }
        return new Chunk(transfer, data.get(2), index, count, size, data.get(6), bytes);
    }

    private static int number(String text, String what) {
        long value = Long.parseLong(requireDigits(text, what));
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is too large");
        }
        return (int) value;
    }

    private static String requireDigits(String text, String what) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " is a whole number");
        }
        return text;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                while (in.read(buffer) > 0) {
                    buffer.flip();
                    digest.update(buffer);
                    buffer.clear();
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file; the next transfer of the same id replaces it
        }
    }
}
