package io.netwarden.edge.methods;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The directories the file methods may touch ({@code netwarden.edge.files.allow}), compared by real path at each call,
 * so a symbolic link cannot lead out. An allowed directory that does not exist allows nothing. Immutable.
 */
public final class AllowedDirectories {

    private final List<Path> allowed;

    public AllowedDirectories(List<Path> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** An existing regular file under an allowed directory, by its real path; empty otherwise (or when not absolute). */
    public Optional<Path> existingFile(String asked) {
        try {
            Path path = Path.of(asked);
            if (!path.isAbsolute()) {
                return Optional.empty();
            }
            Path real = path.toRealPath();
            return under(real) && Files.isRegularFile(real) ? Optional.of(real) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A file to write: absolute, its directory existing under an allowed directory (by real path), its name a plain
     * name, and not a symbolic link or directory if it exists. Empty otherwise.
     */
    public Optional<Path> newFile(String asked) {
        try {
            Path path = Path.of(asked);
            if (!path.isAbsolute() || path.getFileName() == null || path.getParent() == null) {
                return Optional.empty();
            }
            String name = path.getFileName().toString();
            if (name.equals(".") || name.equals("..")) {
                return Optional.empty();
            }
            Path target = path.getParent().toRealPath().resolve(name);
            if (!under(target.getParent()) || Files.isSymbolicLink(target)
                    || Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(target);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private boolean under(Path real) {
        for (Path directory : allowed) {
            try {
                if (real.startsWith(directory.toRealPath())) {
                    return true;
                }
            } catch (IOException missing) {
                // allows nothing
            }
        }
        return false;
    }
}
