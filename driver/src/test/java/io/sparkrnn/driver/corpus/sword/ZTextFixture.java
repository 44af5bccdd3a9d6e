package io.sparkrnn.driver.corpus.sword;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

/**
 * zText modules written from {@code slice.tsv}, a slice of the real KJV and WEB modules: each verse at the index
 * slot the real module holds it in, in an index as long as the real one, its text zlib-compressed in one of two
 * blocks.
 */
final class ZTextFixture {
    /** Entries of the real modules' verse indexes (file size / 10): KJV Old and New Testament, NRSVA the same. */
    static final int KJV_OT = 24115;
    static final int KJV_NT = 8246;
    static final int NRSVA_OT = 31027;
    static final int NRSVA_NT = 8248;

    /** One verse of the slice. */
    record Verse(String module, int testament, int slot, String ref, String osis) {
    }

    private ZTextFixture() {
    }

    static List<Verse> slice() throws IOException {
        List<Verse> out = new ArrayList<>();
        try (InputStream in = ZTextFixture.class.getResourceAsStream("slice.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", 5);
                out.add(new Verse(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], f[4]));
            }
        }
        return out;
    }

    /** Writes {@code module} with its slice verses under {@code root}, as an installation holding it. */
    static void write(Path root, String module, String versification, int otSlots, int ntSlots) throws IOException {
        String dir = "modules/texts/ztext/" + module.toLowerCase(java.util.Locale.ROOT);
        Files.createDirectories(root.resolve("mods.d"));
        Files.createDirectories(root.resolve(dir));
        Files.writeString(root.resolve("mods.d/" + module.toLowerCase(java.util.Locale.ROOT) + ".conf"), "[" + module
                + "]\nDataPath=./" + dir + "/\nModDrv=zText\nCompressType=ZIP\nBlockType=BOOK\nVersification="
                + versification + "\nEncoding=UTF-8\n");
        List<Verse> verses = slice().stream().filter(v -> v.module().equals(module)).toList();
        for (int t = 1; t <= 2; t++) {
            int testament = t;
            List<Verse> mine = verses.stream().filter(v -> v.testament() == testament).toList();
            ByteArrayOutputStream[] raw = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
            ByteBuffer bzv = ByteBuffer.allocate(10 * (t == 1 ? otSlots : ntSlots)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < mine.size(); i++) {
                int block = i % 2;
                byte[] text = mine.get(i).osis().getBytes(StandardCharsets.UTF_8);
                bzv.putInt(10 * mine.get(i).slot(), block).putInt(10 * mine.get(i).slot() + 4, raw[block].size())
                        .putShort(10 * mine.get(i).slot() + 8, (short) text.length);
                raw[block].write(text);
            }
            ByteArrayOutputStream bzz = new ByteArrayOutputStream();
            ByteBuffer bzs = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < 2; b++) {
                byte[] z = deflate(raw[b].toByteArray());
                bzs.putInt(bzz.size()).putInt(z.length).putInt(raw[b].size());
                bzz.write(z);
            }
            String prefix = dir + "/" + (t == 1 ? "ot" : "nt");
            Files.write(root.resolve(prefix + ".bzv"), bzv.array());
            Files.write(root.resolve(prefix + ".bzs"), bzs.array());
            Files.write(root.resolve(prefix + ".bzz"), bzz.toByteArray());
        }
    }

    private static byte[] deflate(byte[] b) {
        Deflater d = new Deflater();
        d.setInput(b);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /** The installation at {@code root}, as {@link SwordModule#read} reads it. */
    static SwordModule.Files files(Path root) {
        return new SwordModule.Files() {
            @Override
            public byte[] read(String path) throws IOException {
                Path p = root.resolve(path);
                if (!Files.isRegularFile(p)) {
                    throw new FileNotFoundException(p.toString());
                }
                return Files.readAllBytes(p);
            }

            @Override
            public String show(String path) {
                return root.resolve(path).toString();
            }
        };
    }
}
