package io.sparkrnn.driver.corpus.sword;

import io.sparkrnn.driver.corpus.CorpusException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One SWORD Bible module in CrossWire's zText format, read into its verses' OSIS text in canonical order.
 *
 * <p>The module's {@code mods.d/<name>.conf} (the name lower-cased, or as given) names its folder
 * ({@code DataPath}), driver ({@code ModDrv=zText}), compression ({@code CompressType=ZIP}) and
 * {@link Versification} ({@code Versification=}, KJV when absent, as in libsword). Per testament ({@code ot},
 * {@code nt}; a module without a testament's files has none of its verses) the folder holds:
 * <ul>
 *   <li>{@code .bzv}, the verse index: one 10-byte entry per {@link Versification#slots slot} (headings included),
 *       little-endian block number (u32), offset in the inflated block (u32) and size (u16); size 0: no text;</li>
 *   <li>{@code .bzs}, the block index: 12-byte entries, offset in {@code .bzz} (u32), compressed size (u32) and
 *       inflated size (u32);</li>
 *   <li>{@code .bzz}, the zlib-compressed blocks.</li>
 * </ul>
 * Verse texts are UTF-8. A file that is missing, short, or does not fit the versification is a
 * {@link CorpusException} naming the file, the offset and what was expected.
 *
 * @param name the module's name
 * @param versification its versification
 * @param verses the OSIS text of every verse that has one, in canonical order
 */
public record SwordModule(String name, Versification versification, Map<VerseRef, String> verses) {
    private static final int VERSE_ENTRY = 10;
    private static final int BLOCK_ENTRY = 12;

    /** The files of a SWORD installation, by path relative to its root (the folder holding {@code mods.d}). */
    public interface Files {
        /** The bytes of {@code path}; {@link FileNotFoundException} when there is no such file. */
        byte[] read(String path) throws IOException;

        /** {@code path} as a message shows it (e.g. with the root in front). */
        String show(String path);
    }

    /** Reads the module {@code name} of the installation {@code files}. */
    public static SwordModule read(Files files, String name) {
        String confPath = "mods.d/" + name.toLowerCase(Locale.ROOT) + ".conf";
        byte[] confBytes = readOptional(files, confPath);
        if (confBytes == null) {
            confPath = "mods.d/" + name + ".conf";
            confBytes = readOptional(files, confPath);
        }
        if (confBytes == null) {
            throw new CorpusException(files.show(confPath) + ": no such file (the configuration of SWORD module "
                    + name + ")");
        }
        Map<String, String> conf = conf(new String(confBytes, StandardCharsets.UTF_8));
        String shownConf = files.show(confPath);
        String driver = conf.getOrDefault("ModDrv", "");
        if (!driver.equalsIgnoreCase("zText")) {
            throw new CorpusException(shownConf + ": ModDrv=" + driver + "; only zText modules are read");
        }
        String compress = conf.getOrDefault("CompressType", "ZIP");
        if (!compress.equalsIgnoreCase("ZIP")) {
            throw new CorpusException(shownConf + ": CompressType=" + compress + "; only ZIP (zlib) is read");
        }
        String dataPath = conf.get("DataPath");
        if (dataPath == null || dataPath.isBlank()) {
            throw new CorpusException(shownConf + ": no DataPath=");
        }
        String dir = dataPath.replaceFirst("^\\./", "").replaceFirst("/+$", "");
        Versification v;
        try {
            v = Versification.of(conf.getOrDefault("Versification", "KJV"));
        } catch (CorpusException e) {
            throw new CorpusException(shownConf + ": " + e.getMessage());
        }
        Map<VerseRef, String> verses = new LinkedHashMap<>();
        readTestament(files, dir + "/ot", v, 1, verses);
        readTestament(files, dir + "/nt", v, 2, verses);
        return new SwordModule(name, v, Collections.unmodifiableMap(verses));
    }

    /** A module's configuration: {@code key=value} lines (the first of a repeated key), the section line skipped. */
    static Map<String, String> conf(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\r?\n")) {
            int eq = line.indexOf('=');
            if (line.startsWith("[") || line.startsWith("#") || eq <= 0) {
                continue;
            }
            m.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return m;
    }

    private static byte[] readOptional(Files files, String path) {
        try {
            return files.read(path);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new CorpusException(files.show(path) + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readRequired(Files files, String path) {
        byte[] b = readOptional(files, path);
        if (b == null) {
            throw new CorpusException(files.show(path) + ": no such file (the verse index is there)");
        }
        return b;
    }

    /** The verses of one testament ({@code prefix}: {@code <folder>/ot} or {@code /nt}) into {@code out}. */
    static void readTestament(Files files, String prefix, Versification v, int testament, Map<VerseRef, String> out) {
        byte[] bzv = readOptional(files, prefix + ".bzv");
        if (bzv == null) {
            return;
        }
        String shownV = files.show(prefix + ".bzv");
        String shownS = files.show(prefix + ".bzs");
        String shownZ = files.show(prefix + ".bzz");
        byte[] bzs = readRequired(files, prefix + ".bzs");
        byte[] bzz = readRequired(files, prefix + ".bzz");
        VerseRef[] slots = v.slots(testament);
        if (bzv.length % VERSE_ENTRY != 0) {
            throw new CorpusException(shownV + ": " + bzv.length + " bytes, not whole " + VERSE_ENTRY
                    + "-byte entries: truncated or damaged at offset " + (bzv.length - bzv.length % VERSE_ENTRY));
        }
        if (bzv.length / VERSE_ENTRY != slots.length) {
            throw new CorpusException(shownV + ": " + bzv.length / VERSE_ENTRY + " index entries, versification "
                    + v.name() + " has " + slots.length + " slots for the " + (testament == 1 ? "Old" : "New")
                    + " Testament (a truncated file, or a module of another versification)");
        }
        if (bzs.length % BLOCK_ENTRY != 0) {
            throw new CorpusException(shownS + ": " + bzs.length + " bytes, not whole " + BLOCK_ENTRY
                    + "-byte entries: truncated or damaged at offset " + (bzs.length - bzs.length % BLOCK_ENTRY));
        }
        ByteBuffer vi = ByteBuffer.wrap(bzv).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bi = ByteBuffer.wrap(bzs).order(ByteOrder.LITTLE_ENDIAN);
        int blocks = bzs.length / BLOCK_ENTRY;
        Map<Integer, byte[]> inflated = new HashMap<>();
        for (int slot = 0; slot < slots.length; slot++) {
            int at = slot * VERSE_ENTRY;
            long block = Integer.toUnsignedLong(vi.getInt(at));
            long start = Integer.toUnsignedLong(vi.getInt(at + 4));
            int size = Short.toUnsignedInt(vi.getShort(at + 8));
            if (size == 0 || slots[slot] == null) {
                continue;
            }
            if (block >= blocks) {
                throw new CorpusException(shownV + " at offset " + at + " (" + slots[slot] + "): block " + block
                        + ", but " + shownS + " lists " + blocks + " blocks");
            }
            byte[] raw = inflated.computeIfAbsent((int) block, b -> inflate(bi, b, bzz, shownS, shownZ));
            if (start + size > raw.length) {
                throw new CorpusException(shownV + " at offset " + at + " (" + slots[slot] + "): bytes " + start
                        + " to " + (start + size) + " of block " + block + ", which inflates to " + raw.length
                        + " bytes");
            }
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw, (int) start, size)).toString();
                out.put(slots[slot], text);
            } catch (CharacterCodingException e) {
                throw new CorpusException(shownV + " at offset " + at + " (" + slots[slot] + "): not UTF-8 text ("
                        + e + ")");
            }
        }
    }

    /** Block {@code b}: its {@code .bzs} entry checked against {@code .bzz}, inflated to the size it gives. */
    private static byte[] inflate(ByteBuffer bi, int b, byte[] bzz, String shownS, String shownZ) {
        int at = b * BLOCK_ENTRY;
        long offset = Integer.toUnsignedLong(bi.getInt(at));
        long compressed = Integer.toUnsignedLong(bi.getInt(at + 4));
        long size = Integer.toUnsignedLong(bi.getInt(at + 8));
        if (offset + compressed > bzz.length) {
            throw new CorpusException(shownZ + ": block " + b + " (" + shownS + " at offset " + at + ") spans bytes "
                    + offset + " to " + (offset + compressed) + ", past the end of the file (" + bzz.length
                    + " bytes): truncated or damaged");
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new CorpusException(shownS + " at offset " + at + ": block " + b + " inflates to " + size
                    + " bytes, more than a block can hold");
        }
        Inflater inf = new Inflater();
        try {
            inf.setInput(bzz, (int) offset, (int) compressed);
            byte[] out = new byte[(int) size];
            int n = 0;
            while (n < out.length && !inf.finished() && !inf.needsInput()) {
                n += inf.inflate(out, n, out.length - n);
            }
            if (n != size || !inf.finished()) {
                throw new CorpusException(shownZ + " at offset " + offset + ": block " + b + " inflates to "
                        + (inf.finished() ? n : "more than " + n) + " bytes, " + shownS + " says " + size
                        + " (truncated or damaged)");
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorpusException(shownZ + " at offset " + offset + ": block " + b + " is not zlib data ("
                    + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }
}
