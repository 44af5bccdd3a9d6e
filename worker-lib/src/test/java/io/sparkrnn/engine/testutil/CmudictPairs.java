package io.sparkrnn.engine.testutil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CMUdict sample as (letters, phonemes) id pairs in file order: alternates ({@code WORD(1)}) and words of more
 * than 12 characters skipped, stress digits stripped. Ids: 0 padding, 1 begin, 2 end (as
 * {@code Seq2SeqSpec.of} has them), then letters and phonemes in order of first appearance.
 */
public record CmudictPairs(List<int[]> words, List<int[]> phones, int sourceVocab, int targetVocab) {
    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;

    public static CmudictPairs read() {
        Map<Integer, Integer> letters = new TreeMap<>();
        Map<String, Integer> ph = new TreeMap<>();
        List<int[]> words = new ArrayList<>();
        List<int[]> phones = new ArrayList<>();
        for (String line : Samples.text("cmudict/cmudict-sample.txt").lines().toList()) {
            int sep = line.indexOf("  ");
            String word = line.substring(0, sep);
            if (word.endsWith(")") || word.length() > 12) {
                continue;
            }
            words.add(word.chars().map(c -> letters.computeIfAbsent(c, k -> 3 + letters.size())).toArray());
            phones.add(Arrays.stream(line.substring(sep + 2).trim().split(" "))
                    .mapToInt(p -> ph.computeIfAbsent(p.replaceAll("[012]$", ""), k -> 3 + ph.size())).toArray());
        }
        return new CmudictPairs(words, phones, 3 + letters.size(), 3 + ph.size());
    }
}
