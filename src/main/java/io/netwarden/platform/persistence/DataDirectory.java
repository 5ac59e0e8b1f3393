package io.netwarden.platform.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The data directory holds the database, the API token and keys, so only its owner may enter it: the directory and
 * every directory in it are 0700, every file 0600. {@link #prepare} creates it so, and tightens what it finds looser,
 * returning what it changed so that the caller can warn. Symbolic links are left alone (never followed).
 *
 * <p>Thread safety: stateless; concurrent calls on the same directory only repeat the same chmods.
 */
public final class DataDirectory {

    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {
    }

    /** What {@link #prepare} did. */
    public record Report(Path directory, boolean created, List<String> tightened) {
    }

    /**
     * Creates {@code dir} (and missing parents of it) with mode 0700, or tightens it and everything in it to 0700/0600.
     * On a file system without POSIX permissions it only creates the directory.
     */
    public static Report prepare(Path dir) {
        Path directory = dir.toAbsolutePath().normalize();
        try {
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(directory);
                if (posix(directory)) {
                    Files.setPosixFilePermissions(directory, DIRECTORY);
                }
                return new Report(directory, true, List.of());
            }
            if (!posix(directory)) {
                return new Report(directory, false, List.of());
            }
            List<String> tightened = new ArrayList<>();
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    tighten(d, DIRECTORY, directory, tightened);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        tighten(file, FILE, directory, tightened);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished meanwhile (a lock file); nothing to protect
                }
            });
            return new Report(directory, false, List.copyOf(tightened));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or protect the data directory " + directory, e);
        }
    }

    private static void tighten(Path path, Set<PosixFilePermission> wanted, Path root, List<String> tightened)
            throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (!wanted.containsAll(perms)) {
            Set<PosixFilePermission> kept = PosixFilePermissions.fromString(PosixFilePermissions.toString(perms));
            kept.retainAll(wanted);
            Files.setPosixFilePermissions(path, kept);
            Path relative = root.relativize(path);
            tightened.add((relative.toString().isEmpty() ? "." : relative) + " (was " + PosixFilePermissions.toString(perms) + ")");
        }
    }

    private static boolean posix(Path path) {
        return Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS) != null;
    }
}
