package io.sparkrnn.jobs;

import io.sparkrnn.engine.io.Folder;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.SparkConf;

/**
 * A file or folder that a command reads or writes, on the Hadoop file system its name gives: a URI
 * ({@code hdfs://namenode:8020/runs/x}, {@code file:///tmp/x}, any scheme whose Hadoop {@code FileSystem} is on the
 * class path), or a plain path, which is local (relative to the working directory) whatever
 * {@code fs.defaultFS} says. Local files go through Hadoop's raw local file system, so they are written exactly as
 * {@code java.nio} would (no {@code .crc} side files).
 *
 * <p>A scheme with no file system on the class path is a {@link ConfigException} naming it and what to add, found
 * before anything is read or written. Hadoop's settings come from its usual config files
 * ({@code core-site.xml}, {@code hdfs-site.xml} on the class path, where spark-submit puts
 * {@code HADOOP_CONF_DIR}) and Spark's {@code spark.hadoop.*} keys.
 */
public final class Location {
    /** A URI's scheme, as in {@code hdfs:/...} or {@code s3a://...}; anything else is a local path. */
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):/.*");

    private final FileSystem fs;
    private final Path path;
    private final String shown;

    private Location(FileSystem fs, Path path, String shown) {
        this.fs = fs;
        this.path = path;
        this.shown = shown;
    }

    /**
     * The location {@code text} names; {@code what} (the key or option that gave it, e.g. {@code output.dir}) leads
     * the message when its scheme has no file system here.
     */
    public static Location of(String text, String what) {
        Configuration conf = hadoopConf();
        var m = SCHEME.matcher(text);
        try {
            if (!m.matches()) {
                java.nio.file.Path local = java.nio.file.Path.of(text);
                // From the URI, not the text: a Hadoop path parsed from "a/%22" would name a folder '"'. The URI
                // of an existing folder ends in '/', which a Hadoop path would keep as an empty last name.
                String uri = local.toAbsolutePath().normalize().toUri().toString();
                if (uri.endsWith("/") && !uri.equals("file:///")) {
                    uri = uri.substring(0, uri.length() - 1);
                }
                return new Location(FileSystem.getLocal(conf).getRaw(), new Path(java.net.URI.create(uri)),
                        local.toString());
            }
            String scheme = m.group(1).toLowerCase(java.util.Locale.ROOT);
            requireFileSystem(scheme, text, what, conf);
            Path p = new Path(text);
            FileSystem fs = scheme.equals("file") ? FileSystem.getLocal(conf).getRaw() : p.getFileSystem(conf);
            Path q = fs.makeQualified(p);
            return new Location(fs, q, q.toString());
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(what + " " + text + ": " + e.getMessage());
        }
    }

    /** Refuses a scheme that no Hadoop file system on the class path serves, saying what would. */
    private static void requireFileSystem(String scheme, String text, String what, Configuration conf) {
        try {
            FileSystem.getFileSystemClass(scheme, conf);
        } catch (UnsupportedFileSystemException | RuntimeException e) {
            // no fs.<scheme>.impl and no service entry; or one named in Hadoop's defaults (s3a) whose class is absent
            throw new ConfigException(what + " " + text + ": no Hadoop file system for scheme '" + scheme
                    + "' on the class path; " + remedy(scheme));
        } catch (IOException e) {
            throw new ConfigException(what + " " + text + ": " + e.getMessage());
        }
    }

    private static String remedy(String scheme) {
        if (scheme.startsWith("s3")) {
            return "for S3 add hadoop-aws matching Spark's Hadoop 3.3.4 (spark-submit --packages "
                    + "org.apache.hadoop:hadoop-aws:3.3.4, or its jar and the AWS SDK bundle with --jars), use "
                    + "s3a://, and give credentials in Hadoop's config (fs.s3a.* in core-site.xml or spark.hadoop.*)";
        }
        return "file:// and hdfs:// work as they are, a plain path is local; for '" + scheme + "' add the jar of "
                + "its Hadoop FileSystem (spark-submit --jars or --packages) and its fs." + scheme + ".* settings";
    }

    /** Hadoop's config files plus the {@code spark.hadoop.*} keys that spark-submit passes on. */
    static Configuration hadoopConf() {
        Configuration conf = new Configuration();
        for (scala.Tuple2<String, String> kv : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
            conf.set(kv._1(), kv._2());
        }
        return conf;
    }

    public FileSystem fs() {
        return fs;
    }

    /** The qualified Hadoop path ({@code file:/...} for a local one). */
    public Path path() {
        return path;
    }

    /** The file {@code name} in this folder. */
    public Location resolve(String name) {
        Path p = new Path(path, name);
        String s = isLocal() && !shown.startsWith("file:") ? java.nio.file.Path.of(shown).resolve(name).toString()
                : p.toString();
        return new Location(fs, p, s);
    }

    /** The folder holding this one, or null at the root. */
    public Location parent() {
        Path p = path.getParent();
        if (p == null) {
            return null;
        }
        java.nio.file.Path local = isLocal() && !shown.startsWith("file:")
                ? java.nio.file.Path.of(shown).toAbsolutePath().normalize().getParent() : null;
        return new Location(fs, p, local != null ? local.toString() : p.toString());
    }

    /** A local location as an absolute path, else the URI: where the console says a run's files are. */
    public String absolute() {
        return isLocal() ? java.nio.file.Path.of(path.toUri()).toString() : path.toString();
    }

    public String name() {
        return path.getName();
    }

    public boolean isLocal() {
        return "file".equals(path.toUri().getScheme());
    }

    public boolean exists() throws IOException {
        return fs.exists(path);
    }

    /** True when a folder exists here; false when nothing does. */
    public boolean isFolder() throws IOException {
        try {
            return fs.getFileStatus(path).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** True when a file (not a folder) exists here. */
    public boolean isFile() throws IOException {
        try {
            return fs.getFileStatus(path).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** The names in this folder, sorted; {@code files} only regular files. */
    public List<String> list(boolean files) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus st : fs.listStatus(path)) {
            if (!files || st.isFile()) {
                names.add(st.getPath().getName());
            }
        }
        names.sort(null);
        return names;
    }

    public InputStream open() throws IOException {
        return fs.open(path);
    }

    public long size() throws IOException {
        return fs.getFileStatus(path).getLen();
    }

    public byte[] readBytes() throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    public String readString() throws IOException {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    public void mkdirs() throws IOException {
        if (!fs.mkdirs(path)) {
            throw new IOException("cannot create the folder " + this);
        }
    }

    /** A new file here (replacing one), for writing in steps ({@code metrics.jsonl}). */
    FSDataOutputStream create() throws IOException {
        return fs.create(path, true);
    }

    /** Flushes {@code out} to the storage (HDFS: to the DataNodes' disks), where the stream can. */
    private static void sync(FSDataOutputStream out) throws IOException {
        out.flush();
        if (out.hasCapability(StreamCapabilities.HSYNC)) {
            out.hsync();
        }
    }

    /**
     * Writes this file: written beside it under a temporary name, synced, then renamed onto it. A local rename
     * replaces the old file in one step; HDFS renames do not overwrite, so there the old file is deleted first and
     * for a moment neither is visible. On failure the old file stays and the temporary one is deleted.
     */
    public void write(Folder.Body body) throws IOException {
        Path tmp = new Path(path.getParent(), "." + path.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                body.writeTo(buffered);
                buffered.flush();
                sync(out);
            }
            if (!fs.rename(tmp, path)) {
                if (!fs.exists(path) || !fs.delete(path, false) || !fs.rename(tmp, path)) {
                    throw new IOException("cannot rename " + tmp + " to " + path);
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    public void writeString(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(out -> out.write(b));
    }

    /** Renames this file or folder to {@code to}, which must not exist. */
    public void renameTo(Location to) throws IOException {
        if (!fs.rename(path, to.path)) {
            throw new IOException("cannot rename " + this + " to " + to);
        }
    }

    /** Deletes this file or folder and all it holds, if it exists. */
    public void delete() throws IOException {
        if (fs.exists(path) && !fs.delete(path, true)) {
            throw new IOException("cannot delete " + this);
        }
    }

    /** This folder's files by name, for {@link io.sparkrnn.engine.io.ModelFiles} and the run report. */
    Folder folder() {
        return new Folder() {
            @Override
            public InputStream open(String name) throws IOException {
                return new java.io.BufferedInputStream(resolve(name).open(), 1 << 16);
            }

            @Override
            public long size(String name) throws IOException {
                return resolve(name).size();
            }

            @Override
            public boolean exists(String name) throws IOException {
                return resolve(name).exists();
            }

            @Override
            public void write(String name, Body body) throws IOException {
                mkdirs();
                resolve(name).write(body);
            }

            @Override
            public void delete(String name) throws IOException {
                resolve(name).delete();
            }

            @Override
            public String where(String name) {
                return resolve(name).toString();
            }
        };
    }

    /** As the user gave it (a local path as typed, relative or not), or the qualified URI. */
    @Override
    public String toString() {
        return shown;
    }
}
