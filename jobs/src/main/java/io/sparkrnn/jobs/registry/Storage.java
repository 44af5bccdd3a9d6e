package io.sparkrnn.jobs.registry;

import io.sparkrnn.jobs.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * The three steps every change of the registry is made of, on any Hadoop file system: a new file written whole
 * under a name nobody else uses; a rename onto a name that must not exist (a version folder: a second writer's
 * rename fails instead of replacing or nesting into the first's); a rename that replaces a file in one step
 * (CURRENT, version.json).
 *
 * <p>Local paths use the operating system's rename(2) through {@code java.nio}: it replaces a file atomically and
 * refuses to replace a non-empty folder. Other file systems use Hadoop's {@link FileContext} renames, which on HDFS
 * are single NameNode operations: {@code Rename.NONE} fails when the target exists, {@code Rename.OVERWRITE}
 * replaces it atomically. (On HDFS {@code FileSystem.rename}, which {@code Location} uses, never overwrites a file
 * and moves a folder into an existing one.) A file system whose FileContext emulates an overwrite by a delete and a rename
 * leaves a moment with no target; {@link Registry} readers survive it (see docs/registry.md).
 */
final class Storage {
    private Storage() {
    }

    /** Writes {@code bytes} to a new file, failing when it exists; synced to the storage before it returns. */
    static void createNew(Location file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = file.fs().create(file.path(), false)) {
            out.write(bytes);
            out.flush();
            if (out.hasCapability(StreamCapabilities.HSYNC)) {
                out.hsync();
            }
        }
    }

    /** Renames {@code from} to {@code to}, which must not exist: {@link FileAlreadyExistsException} if it does. */
    static void renameNew(Location from, Location to) throws IOException {
        if (from.isLocal()) {
            try {
                Files.move(nio(from), nio(to));
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                throw new FileAlreadyExistsException(to + " exists");
            } catch (FileSystemException e) {
                if (to.exists()) {
                    throw new FileAlreadyExistsException(to + " exists");
                }
                throw e;
            }
            return;
        }
        try {
            context(from).rename(from.path(), to.path(), Options.Rename.NONE);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(to + " exists");
        } catch (IOException e) {
            if (to.exists()) {
                throw new FileAlreadyExistsException(to + " exists");
            }
            throw e;
        }
    }

    /** Renames the file {@code from} onto {@code to}, replacing it in one step where the file system can. */
    static void renameOver(Location from, Location to) throws IOException {
        if (from.isLocal()) {
            Files.move(nio(from), nio(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            context(from).rename(from.path(), to.path(), Options.Rename.OVERWRITE);
        }
    }

    /** Copies every regular file of the folder {@code from} into the existing folder {@code to}. */
    static void copyFiles(Location from, Location to) throws IOException {
        for (String name : from.list(true)) {
            try (InputStream in = from.resolve(name).open();
                    FSDataOutputStream out = to.fs().create(to.resolve(name).path(), false)) {
                in.transferTo(out);
                if (out.hasCapability(StreamCapabilities.HSYNC)) {
                    out.hsync();
                }
            }
        }
    }

    private static java.nio.file.Path nio(Location l) {
        return java.nio.file.Path.of(l.path().toUri());
    }

    private static FileContext context(Location l) throws IOException {
        return FileContext.getFileContext(l.fs().getUri(), l.fs().getConf());
    }
}
