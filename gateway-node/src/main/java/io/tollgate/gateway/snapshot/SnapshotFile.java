package io.tollgate.gateway.snapshot;

import io.tollgate.common.json.Json;
import io.tollgate.db.snapshot.ConfigSnapshot;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The last good config on disk, as the rows it was compiled from (JSON). Written to a temporary file and moved
 * into place, so a crash never leaves half a file; readable only by the owner since it holds key digests (and the
 * HS256 secrets of tenants that verify JWTs with one).
 */
final class SnapshotFile {
    private static final System.Logger LOG = System.getLogger(SnapshotFile.class.getName());

    private final Path path;

    SnapshotFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    void write(ConfigSnapshot config) {
        try {
            Files.createDirectories(path.getParent());
            Path temp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
            try {
                trySetOwnerOnly(temp);
                Json.mapper().writeValue(temp.toFile(), config);
                try {
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write the snapshot file " + path + ": " + e.getMessage());
        }
    }

    Optional<ConfigSnapshot> read() {
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(path.toFile(), ConfigSnapshot.class));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot file " + path + " is not readable: " + e.getMessage());
            return Optional.empty();
        }
    }

    Path path() {
        return path;
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: the directory's protection applies
        }
    }
}
