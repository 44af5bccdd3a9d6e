package io.sparkrnn.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqScores;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report calls a metric, and the present name of a field an older run wrote under another: a seq2seq run
 * whose targets are words or characters wrote its token and sequence error rates as {@code per} and {@code wer}
 * (phoneme and word error rate) before they were named after its targets ({@link Seq2SeqScores.Names}).
 */
final class MetricNames {
    private static final List<String> PREFIXES = List.of("valid_", "test_", "valid_beam_", "test_beam_");

    /** Words for a metric, by field name without its part prefix. */
    private static final Map<String, String> WORDS = Map.ofEntries(
            Map.entry("bits_per_char", "bits per character"), Map.entry("bits_per_word", "bits per word"),
            Map.entry("bits_per_piece", "bits per subword piece"),
            Map.entry("perplexity", "perplexity"), Map.entry("accuracy", "accuracy"),
            Map.entry("macro_f1", "macro F1"), Map.entry("mae", "MAE"), Map.entry("rmse", "RMSE"),
            Map.entry("mae_vs_seasonal_naive", "MAE / seasonal-naive MAE"),
            Map.entry("per", "phoneme error rate"), Map.entry("cer", "character error rate"),
            Map.entry("ter", "token error rate"), Map.entry("wer", "word error rate"),
            Map.entry("ser", "sentence error rate"), Map.entry("bleu", "BLEU-4"), Map.entry("chrf", "chrF"),
            Map.entry("copy_bleu", "BLEU-4 of the source copied"), Map.entry("copy_chrf", "chrF of the source copied"),
            Map.entry("mae_vs_persistence", "MAE / persistence MAE"));

    /**
     * The baselines a task reports beside the model, by the prefix of their fields (after the part prefix; the rest
     * is the model's metric: {@code valid_persistence_mae} beside {@code valid_mae}), with their words.
     */
    static final Map<String, String> BASELINES = linked("seasonal_naive_", "seasonal naive", "persistence_",
            "persistence", "copy_", "source copied", "majority_", "majority label", "naive_bayes_",
            "naive Bayes (bag of words)", "most_frequent_tag_", "most frequent tag per word", "unigram_",
            "unigram (add-one)");

    private static Map<String, String> linked(String... keyValue) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValue.length; i += 2) {
            m.put(keyValue[i], keyValue[i + 1]);
        }
        return m;
    }

    /**
     * The model's field a baseline's field stands beside ({@code valid_persistence_mae}: {@code valid_mae}) and
     * the baseline's prefix, or null when {@code field} is no baseline's.
     */
    static String[] besideModel(String field) {
        for (String p : List.of("valid_beam_", "test_beam_", "valid_", "test_", "")) {
            if (!field.startsWith(p)) {
                continue;
            }
            String rest = field.substring(p.length());
            for (String b : BASELINES.keySet()) {
                if (rest.startsWith(b) && rest.length() > b.length()) {
                    return new String[] {p + rest.substring(b.length()), b};
                }
            }
            return null;
        }
        return null;
    }

    private MetricNames() {
    }

    /** Old field name to present name for the run of {@code config} (empty when nothing was renamed). */
    static Map<String, String> renames(Map<String, String> config) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!"seq2seq".equals(config.get("task"))) {
            return m;
        }
        String format = config.getOrDefault("data.format", "auto");
        TokenUnit target = "char".equals(config.get("data.target-tokens")) ? TokenUnit.CHARS : TokenUnit.WORDS;
        Seq2SeqScores.Names names = Seq2SeqScores.Names.of(format.equals("auto") ? "cmudict" : format, target);
        for (String p : PREFIXES) {
            if (!names.tokens.equals("per")) {
                m.put(p + "per", p + names.tokens);
            }
            if (!names.sequences.equals("wer")) {
                m.put(p + "wer", p + names.sequences);
            }
        }
        return m;
    }

    /** eval.json's object with its fields renamed, in order; other JSON as it is. */
    static JsonNode rename(JsonNode eval, Map<String, String> renames) {
        if (eval == null || !eval.isObject() || renames.isEmpty()) {
            return eval;
        }
        ObjectNode out = ((ObjectNode) eval).objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = eval.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.set(renames.getOrDefault(f.getKey(), f.getKey()), f.getValue());
        }
        return out;
    }

    /** A field in words: "validation token error rate"; the field itself when it is not a known metric. */
    static String words(String field) {
        String part = "";
        String rest = field;
        for (String p : List.of("valid_beam_", "test_beam_", "valid_", "test_")) {
            if (field.startsWith(p)) {
                part = switch (p) {
                    case "valid_beam_" -> "validation (beam) ";
                    case "test_beam_" -> "test (beam) ";
                    case "valid_" -> "validation ";
                    default -> "test ";
                };
                rest = field.substring(p.length());
                break;
            }
        }
        String w = WORDS.get(rest);
        return w == null ? field.replace('_', ' ') : part + w;
    }
}
