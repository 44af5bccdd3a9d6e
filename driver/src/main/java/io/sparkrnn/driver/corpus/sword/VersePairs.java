package io.sparkrnn.driver.corpus.sword;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two modules aligned verse by verse: the verses both have under the same reference (book, chapter, verse), in the
 * source's order, as plain text ({@link OsisText}); a verse that is in one module only, or whose text is empty in
 * either, is left out and counted. Versifications that differ (KJV against NRSVA) pair where their references agree;
 * no versification mapping is applied.
 *
 * @param pairs the aligned verses
 * @param sourceOnly source verses with text that do not pair (the target lacks them or has them empty)
 * @param targetOnly target verses with text that do not pair
 */
public record VersePairs(List<Pair> pairs, int sourceOnly, int targetOnly) {

    /** One aligned verse. */
    public record Pair(VerseRef ref, String source, String target) {
    }

    /** The verses of {@code source} and {@code target} that pair. */
    public static VersePairs align(SwordModule source, SwordModule target) {
        Map<VerseRef, String> tgt = target.verses();
        List<Pair> pairs = new ArrayList<>();
        int sourceVerses = 0;
        for (Map.Entry<VerseRef, String> e : source.verses().entrySet()) {
            String s = OsisText.plain(e.getValue());
            sourceVerses += s.isEmpty() ? 0 : 1;
            String rawT = tgt.get(e.getKey());
            String t = rawT == null ? "" : OsisText.plain(rawT);
            if (!s.isEmpty() && !t.isEmpty()) {
                pairs.add(new Pair(e.getKey(), s, t));
            }
        }
        int targetVerses = 0;
        for (String t : tgt.values()) {
            targetVerses += OsisText.plain(t).isEmpty() ? 0 : 1;
        }
        return new VersePairs(List.copyOf(pairs), sourceVerses - pairs.size(), targetVerses - pairs.size());
    }

    /** One line per pair, {@code <Book.Chapter.Verse>\t<source>\t<target>\n} (texts hold no TAB or line break). */
    public String tsv() {
        StringBuilder b = new StringBuilder();
        for (Pair p : pairs) {
            b.append(p.ref()).append('\t').append(p.source()).append('\t').append(p.target()).append('\n');
        }
        return b.toString();
    }

    /** A one-line account: pairs written, verses left out on either side. */
    public String describe(SwordModule source, SwordModule target) {
        return String.format(Locale.ROOT, "%,d verse pairs (%s, versification %s -> %s, versification %s); %,d "
                + "verses only in %s, %,d only in %s (or empty there)", pairs.size(), source.name(),
                source.versification(), target.name(), target.versification(), sourceOnly, source.name(), targetOnly,
                target.name());
    }
}
