package io.sparkrnn.driver.corpus.text;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The vocabularies of a run of a task with several of them (a tagger's words and tags, a classifier's tokens and
 * labels, a seq2seq model's source and target): each fitted on the training part, or, for a warm start, the parent
 * model's grown or not ({@link VocabularyGrowth}, one per vocabulary file; {@code vocab.on-new-tokens}). A
 * vocabulary the parent has no {@code <unk>} in (a classifier's labels) cannot map new tokens: without
 * {@code extend}, training labels the parent lacks are refused, named. {@link #NONE}: a run from scratch.
 *
 * <p>A side cut into byte-pair-encoding pieces keeps the parent's merges ({@code merges}, by merges file name): the
 * pieces, and so the vocabulary's rows, mean what they meant to the parent.
 *
 * @param parents the parent model's vocabularies, by file name (empty: every vocabulary is fitted)
 * @param extend  whether new tokens are appended ({@code vocab.on-new-tokens = extend})
 * @param merges  the parent model's byte-pair-encoding merges, by file name (empty: learned)
 */
public record WarmVocabularies(Map<String, Vocabulary> parents, boolean extend, Map<String, Bpe> merges) {
    /** A run from scratch: every vocabulary fitted on the training part. */
    public static final WarmVocabularies NONE = new WarmVocabularies(Map.of(), false);

    public WarmVocabularies {
        parents = Map.copyOf(parents);
        merges = Map.copyOf(merges);
    }

    /** The parent's vocabularies, without byte-pair-encoding merges. */
    public WarmVocabularies(Map<String, Vocabulary> parents, boolean extend) {
        this(parents, extend, Map.of());
    }

    /** The vocabularies of one preparation of the data, and what the warm start made of each. */
    public Fitting start() {
        return new Fitting();
    }

    /** Collects the vocabularies of one preparation as the data class decides them, for its console and eval.json. */
    public final class Fitting {
        private final Map<String, VocabularyGrowth.Outcome> outcomes = new LinkedHashMap<>();

        private Fitting() {
        }

        /**
         * The run's vocabulary of {@code file}: {@code fitted} (the one a fresh run fits on the training part), or
         * the parent's grown by it; {@code tokens} are all the tokens of the data ({@code data} names it in
         * messages), counted for what the vocabulary lacks.
         *
         * @throws CorpusException for training tokens that a parent vocabulary without {@code <unk>} lacks and
         *                         that are not to be appended
         */
        public Vocabulary vocabulary(String file, Vocabulary fitted, JavaRDD<String> tokens, String data) {
            Vocabulary parent = parents.get(file);
            if (parent == null) {
                return fitted;
            }
            if (!extend && parent.id(Vocabulary.UNK) < 0) {
                List<String> lacking = fitted.tokens().stream().filter(t -> parent.id(t) < 0).toList();
                if (!lacking.isEmpty()) {
                    throw new CorpusException(data + ": " + lacking.size() + " token(s) of the training part are not "
                            + "in the parent model's " + file + ", which has no " + Vocabulary.UNK + " to map them "
                            + "to: " + String.join(", ", lacking.stream().limit(10).map(Vocabulary::quote).toList())
                            + (lacking.size() > 10 ? ", ..." : "")
                            + "; vocab.on-new-tokens = extend appends rows for them");
                }
            }
            JavaPairRDD<String, Long> counts = tokens.mapToPair(t -> new Tuple2<>(t, 1L)).reduceByKey(Long::sum)
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            try {
                VocabularyGrowth.Outcome o = new VocabularyGrowth(parent, extend).apply(fitted, counts);
                outcomes.put(file, o);
                return o.vocabulary();
            } finally {
                counts.unpersist(false);
            }
        }

        /** The console's lines on the warm start's vocabularies (none for a run from scratch). */
        public String describe(String data) {
            StringBuilder sb = new StringBuilder();
            outcomes.forEach((file, o) -> sb.append(String.format(Locale.ROOT, "  warm start: the parent's %s, %d "
                    + "token(s) appended; %,d tokens (%,d distinct) of %s are not in it%s%n", file, o.added(),
                    o.unseen(), o.unseenTypes(), data, o.vocabulary().id(Vocabulary.UNK) < 0 ? ""
                    : " and map to " + Vocabulary.UNK)));
            return sb.toString();
        }

        /**
         * eval.json's {@code warm_start_vocabulary}: one object per vocabulary file ({@link
         * VocabularyGrowth.Outcome#toJson}); null for a run from scratch.
         */
        public ObjectNode toJson() {
            if (outcomes.isEmpty()) {
                return null;
            }
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            outcomes.forEach((file, o) -> o.toJson(n.putObject(file)));
            return n;
        }
    }
}
