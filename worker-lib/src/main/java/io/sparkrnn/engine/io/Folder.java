package io.sparkrnn.engine.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of one folder, by name, on whatever storage holds it: a local directory ({@link #local}) or a folder
 * on a Hadoop file system (the jobs implement it; this module has no Hadoop dependency). {@link ModelFiles} reads
 * and writes a model through it, the jobs their run reports.
 */
public interface Folder {
    /** The body of a file write. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Opens {@code name} for reading; a missing file is an {@link IOException} naming it. */
    InputStream open(String name) throws IOException;

    /** The length of {@code name} in bytes. */
    long size(String name) throws IOException;

    boolean exists(String name) throws IOException;

    /**
     * Writes {@code name}, replacing a file of that name: the file is complete or, if {@code body} or the storage
     * fails, as it was (written beside under a temporary name, then renamed).
     */
    void write(String name, Body body) throws IOException;

    /** Deletes {@code name} if it exists. */
    void delete(String name) throws IOException;

    /** The file's path or URI, for messages. */
    String where(String name);

    /** The local directory {@code dir}; files are written atomically (temporary file, forced, renamed). */
    static Folder local(Path dir) {
        return new Folder() {
            @Override
            public InputStream open(String name) throws IOException {
                return new BufferedInputStream(Files.newInputStream(dir.resolve(name)), 1 << 16);
            }

            @Override
            public long size(String name) throws IOException {
                return Files.size(dir.resolve(name));
            }

            @Override
            public boolean exists(String name) {
                return Files.exists(dir.resolve(name));
            }

            @Override
            public void write(String name, Body body) throws IOException {
                Files.createDirectories(dir);
                SafeTensors.writeAtomically(dir.resolve(name), body::writeTo);
            }

            @Override
            public void delete(String name) throws IOException {
                Files.deleteIfExists(dir.resolve(name));
            }

            @Override
            public String where(String name) {
                return dir.resolve(name).toString();
            }
        };
    }
}
