package io.sparkrnn.driver.corpus.sword;

import io.sparkrnn.driver.corpus.CorpusException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A SWORD versification: its books per testament and the verses of each of their chapters, as libsword's
 * {@code canon.h} (KJV) and {@code canon_nrsva.h} (NRSVA: the KJV's Old Testament books plus the deuterocanon, and
 * verse counts that differ in places) give them; the tables are resources generated from those headers
 * ({@code scripts/canon-tables.py}).
 *
 * <p>The slots of a testament's verse index ({@link #slots}), as libsword's {@code VersificationMgr} lays them
 * out: slot 0 the module heading, 1 the testament heading, then per book a book heading followed, per chapter, by a
 * chapter heading and the chapter's verses. Genesis 1:1 is slot 4 of the Old Testament, Matthew 1:1 slot 4 of the
 * New.
 */
public final class Versification {
    /** The versifications there are tables for, by the name a module's {@code Versification=} gives. */
    public static final List<String> NAMES = List.of("KJV", "NRSVA");

    /** A book: its OSIS name and the verses of each chapter. */
    public record Book(String osis, int[] verses) {
        /** Its chapters. */
        public int chapters() {
            return verses.length;
        }
    }

    private final String name;
    private final Map<Integer, List<Book>> books;

    private Versification(String name, Map<Integer, List<Book>> books) {
        this.name = name;
        this.books = books;
    }

    /** The versification called {@code name} (case-insensitive); a {@link CorpusException} for one without tables. */
    public static Versification of(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new CorpusException("versification " + name + ": no tables for it (known: "
                    + String.join(", ", NAMES) + ")");
        }
        String resource = n.toLowerCase(Locale.ROOT) + ".tsv";
        List<Book> ot = new ArrayList<>();
        List<Book> nt = new ArrayList<>();
        try (InputStream in = Versification.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                String[] counts = f[2].split(",");
                int[] verses = new int[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    verses[i] = Integer.parseInt(counts[i]);
                }
                (f[0].equals("1") ? ot : nt).add(new Book(f[1], verses));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
        return new Versification(n, Map.of(1, List.copyOf(ot), 2, List.copyOf(nt)));
    }

    /** Its name ({@code KJV}, {@code NRSVA}). */
    public String name() {
        return name;
    }

    /** The books of a testament (1: Old, 2: New), in canonical order. */
    public List<Book> books(int testament) {
        List<Book> b = books.get(testament);
        if (b == null) {
            throw new IllegalArgumentException("testament 1 or 2, found " + testament);
        }
        return b;
    }

    /** The verses of every book of both testaments. */
    public int verses() {
        int n = 0;
        for (int t = 1; t <= 2; t++) {
            for (Book b : books(t)) {
                for (int v : b.verses()) {
                    n += v;
                }
            }
        }
        return n;
    }

    /**
     * The verse index of a testament, slot by slot: the verse a slot holds, null for the module, testament, book
     * and chapter headings.
     */
    public VerseRef[] slots(int testament) {
        List<VerseRef> s = new ArrayList<>();
        s.add(null); // module heading
        s.add(null); // testament heading
        for (Book b : books(testament)) {
            s.add(null); // book heading
            for (int c = 1; c <= b.chapters(); c++) {
                s.add(null); // chapter heading
                for (int v = 1; v <= b.verses()[c - 1]; v++) {
                    s.add(new VerseRef(b.osis(), c, v));
                }
            }
        }
        return s.toArray(new VerseRef[0]);
    }

    @Override
    public String toString() {
        return name;
    }
}
