package io.sparkrnn.jobs.registry;

import io.sparkrnn.jobs.InputException;
import io.sparkrnn.jobs.Location;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code <root>/<name>/CURRENT}: the serving version on its first line ({@code v0003}), then the versions that
 * served before it, most recent first: where {@code rollback} goes. Replaced whole, never edited in place: the new
 * text is written and synced under a temporary name ({@code .CURRENT.<id>.tmp}), then renamed over CURRENT in one
 * step ({@link Storage#renameOver}).
 *
 * <p>Readers: CURRENT when it exists. When it does not (a file system that replaces by delete and rename, caught
 * in between, or a writer that died there), the newest complete temporary file: it was complete before the old
 * CURRENT was deleted. Then CURRENT once more, since a writer may have finished meanwhile. None of these: nothing
 * serves. A temporary file beside an existing CURRENT is a write that died before its rename, and is ignored.
 */
final class CurrentFile {
    static final String NAME = "CURRENT";
    private static final String TMP_PREFIX = "." + NAME + ".";
    private static final String TMP_SUFFIX = ".tmp";
    private static final int READS = 3;

    private final Location folder;

    CurrentFile(Location modelFolder) {
        this.folder = modelFolder;
    }

    Location file() {
        return folder.resolve(NAME);
    }

    /** The serving version, then those that served before it; empty when nothing serves. */
    List<Integer> read() throws IOException {
        for (int i = 0; i < READS; i++) {
            try {
                return parse(file().readBytes(), file(), false).orElseThrow();
            } catch (FileNotFoundException e) {
                // being replaced or never written: the newest complete temporary file, else look again
            }
            Optional<List<Integer>> pending = newestTemp();
            if (pending.isPresent()) {
                return pending.get();
            }
        }
        return List.of();
    }

    /** Replaces CURRENT with {@code history} (serving version first). */
    void write(List<Integer> history) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int v : history) {
            sb.append(Names.folder(v)).append('\n');
        }
        Location tmp = folder.resolve(TMP_PREFIX + UUID.randomUUID() + TMP_SUFFIX);
        try {
            Storage.createNew(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
            Storage.renameOver(tmp, file());
        } catch (IOException | RuntimeException e) {
            try {
                tmp.delete();
            } catch (IOException d) {
                e.addSuppressed(d);
            }
            throw e;
        }
    }

    /**
     * A writer's repair before it changes anything: a switch that died between deleting CURRENT and renaming its
     * temporary file is completed; temporary files beside a CURRENT (writes that died before their rename) are
     * deleted.
     */
    void repair() throws IOException {
        if (!file().exists()) {
            Optional<Location> pending = newestTempFile();
            if (pending.isPresent()) {
                Storage.renameOver(pending.get(), file());
            }
        }
        for (String n : folder.list(true)) {
            if (n.startsWith(TMP_PREFIX) && n.endsWith(TMP_SUFFIX)) {
                folder.resolve(n).delete();
            }
        }
    }

    private Optional<List<Integer>> newestTemp() throws IOException {
        Optional<Location> f = newestTempFile();
        return f.isEmpty() ? Optional.empty() : parse(f.get().readBytes(), f.get(), true);
    }

    /** The newest temporary file whose text is a complete CURRENT naming existing versions. */
    private Optional<Location> newestTempFile() throws IOException {
        if (!folder.isFolder()) {
            return Optional.empty();
        }
        Location best = null;
        long bestTime = Long.MIN_VALUE;
        for (String n : folder.list(true)) {
            if (!n.startsWith(TMP_PREFIX) || !n.endsWith(TMP_SUFFIX)) {
                continue;
            }
            Location f = folder.resolve(n);
            try {
                long t = f.fs().getFileStatus(f.path()).getModificationTime();
                if (t > bestTime && parse(f.readBytes(), f, true).isPresent()) {
                    best = f;
                    bestTime = t;
                }
            } catch (FileNotFoundException e) {
                // renamed or deleted while we looked
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The versions {@code bytes} name, one {@code vNNNN} a line, each line ended. A damaged CURRENT is bad input
     * naming it; a temporary file that is not complete ({@code lenient}) is no answer.
     */
    private Optional<List<Integer>> parse(byte[] bytes, Location f, boolean lenient) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<Integer> versions = new ArrayList<>();
        String problem = text.isEmpty() || !text.endsWith("\n") ? "empty or not ended by a line break" : null;
        List<String> lines = text.lines().toList();
        for (int i = 0; problem == null && i < lines.size(); i++) {
            int v = Names.number(lines.get(i));
            if (v < 1) {
                problem = "line " + (i + 1) + ": expected a version folder such as v0003, found '"
                        + Names.shown(lines.get(i)) + "'";
            } else if (!folder.resolve(lines.get(i)).isFolder()) {
                problem = "line " + (i + 1) + ": names " + lines.get(i) + ", which does not exist";
            } else if (!versions.contains(v)) {
                versions.add(v);
            }
        }
        if (problem == null) {
            return Optional.of(versions);
        }
        if (lenient) {
            return Optional.empty();
        }
        throw new InputException(f + " is damaged: " + problem);
    }
}
