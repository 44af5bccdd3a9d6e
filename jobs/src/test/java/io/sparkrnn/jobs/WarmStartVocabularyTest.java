package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.io.ModelFiles;
import io.sparkrnn.engine.param.FlatParams;
import io.sparkrnn.engine.param.ParamLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code train --warm-start} of a tagger, a classifier and a seq2seq model on data with tokens their parent lacks
 * (local[2]): {@code vocab.on-new-tokens = extend} keeps the parent's ids and rows bit for bit (a run at
 * {@code train.lr = 1e-30} leaves every weight of the parent's magnitudes as it was) and appends the new tokens with
 * the rows a fresh model of the grown vocabularies draws, and the extended model trains; {@code unk} keeps the parent's vocabularies and reports the
 * tokens of the new data they lack, counted here from the files.
 */
class WarmStartVocabularyTest {
    @TempDir
    Path tmp;

    private static final long SEED = 1234;

    /** The train command of {@code conf} with the overrides and, when {@code parent} is given, a warm start. */
    private static String[] train(String conf, Path out, Path parent, List<String> sets, String... more) {
        List<String> a = new ArrayList<>(List.of(TaskTesting.train(conf, out, sets.toArray(new String[0]))));
        for (String s : more) {
            a.addAll(List.of("--set", s));
        }
        if (parent != null) {
            a.addAll(List.of("--warm-start", parent.toString()));
        }
        return a.toArray(new String[0]);
    }

    private static List<String> vocabulary(Path model, String file) throws Exception {
        return Vocabulary.fromText(Files.readString(model.resolve(file)), file).tokens();
    }

    /** The tokens of {@code tokens} that {@code known} lacks, in order of first appearance. */
    private static Set<String> lacking(List<String> tokens, List<String> known) {
        Set<String> out = new LinkedHashSet<>(tokens);
        out.removeAll(Set.copyOf(known));
        return out;
    }

    private static long count(List<String> tokens, List<String> known) {
        Set<String> k = Set.copyOf(known);
        return tokens.stream().filter(t -> !k.contains(t)).count();
    }

    /**
     * The extended model's vocabulary {@code file}: the parent's, then (in any order) the tokens of the new data it
     * lacked.
     */
    private static void assertAppended(Path parent, Path child, String file, Set<String> added) throws Exception {
        List<String> was = vocabulary(parent, file);
        List<String> now = vocabulary(child, file);
        assertEquals(was, now.subList(0, was.size()), file + ": the parent's ids changed");
        assertEquals(new TreeSet<>(added), new TreeSet<>(now.subList(was.size(), now.size())), file);
    }

    /**
     * Every tensor of the child (trained at lr 1e-30): the parent's rows bit for bit, then the rows a fresh model of the
     * child's spec draws with the run's seed; returns the tensors that grew.
     */
    private static List<String> assertGrownRows(Path parent, Path child) throws Exception {
        ModelFiles.Loaded was = ModelFiles.load(parent, DataType.FLOAT);
        ModelFiles.Loaded now = ModelFiles.load(child, DataType.FLOAT);
        FlatParams fresh = now.spec().newModel().initParams(SEED, DataType.FLOAT);
        List<String> grown = new ArrayList<>();
        for (ParamLayout.Entry e : now.spec().layout().entries()) {
            float[] theirs = was.params().view(e.name()).dup().data().asFloat();
            float[] mine = now.params().view(e.name()).dup().data().asFloat();
            float[] drawn = fresh.view(e.name()).dup().data().asFloat();
            assertArrayEquals(theirs, Arrays.copyOf(mine, theirs.length), e.name() + ": the parent's rows changed");
            assertArrayEquals(Arrays.copyOfRange(drawn, theirs.length, drawn.length),
                    Arrays.copyOfRange(mine, theirs.length, mine.length), e.name() + ": the new rows are not fresh");
            if (mine.length > theirs.length) {
                grown.add(e.name());
            }
        }
        return grown;
    }

    /** The child ran {@code rounds} rounds in all and its weights moved: the first tensor that kept its shape. */
    private static void assertTrained(Path parent, Path child, int rounds) throws Exception {
        assertEquals(rounds, TaskTesting.jsonFile(child.resolve("eval.json")).get("rounds").asLong());
        ModelFiles.Loaded was = ModelFiles.load(parent, DataType.FLOAT);
        ModelFiles.Loaded now = ModelFiles.load(child.resolve("model"), DataType.FLOAT);
        ParamLayout.Entry kept = now.spec().layout().entries().stream()
                .filter(e -> e.length() == was.spec().layout().entry(e.name()).length()).findFirst().orElseThrow();
        assertFalse(Arrays.equals(was.params().view(kept.name()).dup().data().asFloat(),
                now.params().view(kept.name()).dup().data().asFloat()), kept.name() + ": the extended model did not train");
    }

    private static JsonNode warmVocabulary(Path out, String file) throws Exception {
        return TaskTesting.jsonFile(out.resolve("eval.json")).get("warm_start_vocabulary").get(file);
    }

    // ---- tagging ----

    /** The words (or tags) of Brown {@code word/TAG} lines, as the reader cuts them (suffixes kept). */
    private static List<String> brown(Path file, boolean tags) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            for (String t : line.trim().split("\\s+")) {
                int slash = t.lastIndexOf('/');
                if (slash > 0) {
                    out.add(tags ? t.substring(slash + 1) : t.substring(0, slash));
                }
            }
        }
        return out;
    }

    @Test
    void aTaggerKeepsOrExtendsItsWordsAndTags() throws Exception {
        Path ca01 = Path.of(TaskTesting.path("data/samples/brown/ca01"));
        Path newer = tmp.resolve("brown-new.txt");
        Files.writeString(newer, Files.readString(ca01) + "\n\tThe/at zorblax/nn glimmed/vbd ./.\n"
                + "\tA/at zorblax/nn frobnicated/zz ./.\n\tNo/at glimmed/vbd quux/zz ,/, zorblax/nn ./.\n");
        List<String> sets = List.of("data.train=" + ca01, "data.validation=" + TaskTesting.path(
                "data/samples/brown/ca02"), "data.tokens=word", "data.strip-tag-suffixes=false", "vocab.min-count=1",
                "model.hidden=8",
                "model.embedding=8", "train.local-steps=3", "train.batch=8", "train.rounds=1", "eval.every=100");
        String conf = "conf/brown-tagger.conf";
        Path first = tmp.resolve("tagger");
        TaskTesting.ok(train(conf, first, null, sets));
        Path parent = first.resolve("model");
        List<String> words = brown(newer, false);
        List<String> tags = brown(newer, true);
        Set<String> newWords = lacking(words, vocabulary(parent, "vocab-words.txt"));
        Set<String> newTags = lacking(tags, vocabulary(parent, "vocab-tags.txt"));
        assertTrue(newWords.containsAll(List.of("zorblax", "glimmed", "frobnicated", "quux")), newWords.toString());
        assertEquals(Set.of("zz"), newTags);

        Path still = tmp.resolve("tagger-lr0");
        Commands.Run r = TaskTesting.ok(train(conf, still, parent, sets, "data.train=" + newer,
                "vocab.on-new-tokens=extend", "train.lr=1e-30"));
        assertTrue(r.out().contains("embedding and output rows of the new tokens freshly initialised"), r.out());
        assertAppended(parent, still.resolve("model"), "vocab-words.txt", newWords);
        assertAppended(parent, still.resolve("model"), "vocab-tags.txt", newTags);
        assertEquals(3, assertGrownRows(parent, still.resolve("model")).size(), "embedding, head weight and bias");
        assertEquals(newWords.size(), warmVocabulary(still, "vocab-words.txt").get("tokens_added").asInt());
        assertEquals(0, warmVocabulary(still, "vocab-tags.txt").get("unseen_tokens").asLong());

        Path extended = tmp.resolve("tagger-extended");
        r = TaskTesting.ok(train(conf, extended, parent, sets, "data.train=" + newer, "vocab.on-new-tokens=extend"));
        // the kept Adam moments of every partition, grown by zero rows (train.inner-state = keep)
        assertTrue(r.out().contains("inner optimizer state continues"), r.out());
        assertTrained(parent, extended, 2);

        Path unk = tmp.resolve("tagger-unk");
        r = TaskTesting.ok(train(conf, unk, parent, sets, "data.train=" + newer));
        for (String f : List.of("vocab-words.txt", "vocab-tags.txt")) {
            assertArrayEquals(Files.readAllBytes(parent.resolve(f)), Files.readAllBytes(unk.resolve("model/" + f)), f);
            assertEquals(0, warmVocabulary(unk, f).get("tokens_added").asInt(), f);
        }
        long unseenWords = count(words, vocabulary(parent, "vocab-words.txt"));
        assertEquals(unseenWords, warmVocabulary(unk, "vocab-words.txt").get("unseen_tokens").asLong());
        assertEquals(newWords.size(), warmVocabulary(unk, "vocab-words.txt").get("unseen_token_types").asLong());
        assertEquals(2, warmVocabulary(unk, "vocab-tags.txt").get("unseen_tokens").asLong());
        assertTrue(r.out().contains("the parent's vocab-words.txt, 0 token(s) appended; " + unseenWords + " tokens"),
                r.out());
    }

    // ---- classification ----

    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
        "iota", "kappa", "lambda", "mu"};

    /** {@code n} texts {@code label<TAB>words}, the label alternating, the words a function of the line. */
    private static String texts(int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            boolean ham = i % 2 == 0;
            sb.append(ham ? "ham" : "spam").append('\t');
            for (int k = 0; k < 6; k++) {
                sb.append(k == 0 ? "" : " ").append(WORDS[(i * (ham ? 3 : 5) + k * (ham ? 1 : 7)) % WORDS.length]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<String> tsvColumn(Path file, int column, Function<String, String[]> split) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.addAll(List.of(split.apply(line.split("\t", -1)[column].trim())));
            }
        }
        return out;
    }

    @Test
    void aClassifierKeepsOrExtendsItsTokensAndRefusesNewLabelsWithoutExtend() throws Exception {
        Path old = tmp.resolve("texts.tsv");
        Path valid = tmp.resolve("valid.tsv");
        Files.writeString(old, texts(0, 80));
        Files.writeString(valid, texts(80, 20));
        String newText = "ham\tzorblax glimmed alpha beta\nspam\tzorblax quux gamma\nham\tglimmed glimmed eta\n";
        Path newWords = tmp.resolve("new-words.tsv");
        Files.writeString(newWords, texts(0, 80) + newText);
        Path newLabel = tmp.resolve("new-label.tsv");
        Files.writeString(newLabel, texts(0, 80) + newText + "eggs\tzorblax alpha beta\neggs\tquux eta iota\n");
        List<String> sets = List.of("data.train=" + old, "data.validation=" + valid, "data.format=tsv",
                "data.folders=", "data.tokens=word", "data.lowercase=false", "vocab.min-count=1", "model.hidden=8",
                "model.embedding=8", "train.k1=20", "train.k2=20", "data.max-length=20", "train.local-steps=3",
                "train.batch=8", "train.rounds=1", "eval.every=100");
        String conf = "conf/spam-classifier.conf";
        Path first = tmp.resolve("classifier");
        TaskTesting.ok(train(conf, first, null, sets));
        Path parent = first.resolve("model");
        assertEquals(List.of("ham", "spam"), vocabulary(parent, "vocab-labels.txt"));

        Path refused = tmp.resolve("classifier-refused");
        Commands.Run r = MainTest.run(train(conf, refused, parent, sets, "data.train=" + newLabel));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("vocab-labels.txt") && r.err().contains("\"eggs\"")
                && r.err().contains("vocab.on-new-tokens = extend"), r.err());
        assertFalse(Files.exists(refused.resolve("model")), "a model was written");

        List<String> tokens = tsvColumn(newLabel, 1, t -> t.split("\\s+"));
        Set<String> added = lacking(tokens, vocabulary(parent, "vocab-words.txt"));
        assertEquals(Set.of("zorblax", "glimmed", "quux"), added);
        Path still = tmp.resolve("classifier-lr0");
        TaskTesting.ok(train(conf, still, parent, sets, "data.train=" + newLabel, "vocab.on-new-tokens=extend",
                "train.lr=1e-30"));
        assertAppended(parent, still.resolve("model"), "vocab-words.txt", added);
        assertAppended(parent, still.resolve("model"), "vocab-labels.txt", Set.of("eggs"));
        assertEquals(3, assertGrownRows(parent, still.resolve("model")).size(), "embedding, head weight and bias");
        Path extended = tmp.resolve("classifier-extended");
        TaskTesting.ok(train(conf, extended, parent, sets, "data.train=" + newLabel, "vocab.on-new-tokens=extend"));
        assertTrained(parent, extended, 2);

        Path unk = tmp.resolve("classifier-unk");
        r = TaskTesting.ok(train(conf, unk, parent, sets, "data.train=" + newWords));
        for (String f : List.of("vocab-words.txt", "vocab-labels.txt")) {
            assertArrayEquals(Files.readAllBytes(parent.resolve(f)), Files.readAllBytes(unk.resolve("model/" + f)), f);
        }
        long unseen = count(tsvColumn(newWords, 1, t -> t.split("\\s+")), vocabulary(parent, "vocab-words.txt"));
        assertEquals(6, unseen, "zorblax twice, glimmed three times, quux once");
        assertEquals(unseen, warmVocabulary(unk, "vocab-words.txt").get("unseen_tokens").asLong());
        assertEquals(0, warmVocabulary(unk, "vocab-labels.txt").get("unseen_tokens").asLong());
        assertTrue(r.out().contains("the parent's vocab-words.txt, 0 token(s) appended; 6 tokens (3 distinct)"),
                r.out());
    }

    // ---- seq2seq ----

    /** {@code n} pairs {@code word<TAB>W O R D} over the letters a-h, the word a function of the line. */
    private static String pairs(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String w = Integer.toOctalString(i * 37 + 64).chars().mapToObj(c -> String.valueOf((char) ('a' + c - '0')))
                    .reduce("", String::concat);
            sb.append(w).append('\t').append(String.join(" ", w.toUpperCase(java.util.Locale.ROOT).split("")))
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void aSeq2SeqModelKeepsOrExtendsItsSourceAndTarget() throws Exception {
        Path old = tmp.resolve("pairs.tsv");
        Files.writeString(old, pairs(200));
        Path newer = tmp.resolve("pairs-new.tsv");
        StringBuilder more = new StringBuilder(pairs(200));
        for (String w : List.of("ab", "cd", "ef", "gh", "ha", "bc")) {
            // a z before and a q after each: six new pairs of each, so that some land in the training part
            String z = "z" + w;
            String q = w + "q";
            more.append(z).append('\t').append(String.join(" ", z.toUpperCase(java.util.Locale.ROOT).split("")))
                    .append('\n').append(q).append('\t')
                    .append(String.join(" ", q.toUpperCase(java.util.Locale.ROOT).split(""))).append('\n');
        }
        Files.writeString(newer, more.toString());
        List<String> sets = List.of("data.train=" + old, "data.format=tsv", "data.source-tokens=char",
                "data.target-tokens=word", "data.validation-fraction=0.2", "data.test-fraction=0", "decode.beam=1",
                "model.hidden=8", "model.embedding=8", "train.local-steps=3", "train.batch=8", "train.rounds=1",
                "eval.every=100");
        String conf = "conf/cmudict-g2p.conf";
        Path first = tmp.resolve("g2p");
        TaskTesting.ok(train(conf, first, null, sets));
        Path parent = first.resolve("model");
        List<String> sources = tsvColumn(newer, 0, s -> s.split(""));
        List<String> targets = tsvColumn(newer, 1, t -> t.split("\\s+"));
        Set<String> newSource = lacking(sources, vocabulary(parent, "vocab-source.txt"));
        Set<String> newTarget = lacking(targets, vocabulary(parent, "vocab-target.txt"));
        assertEquals(Set.of("z", "q"), newSource);
        assertEquals(Set.of("Z", "Q"), newTarget);

        Path still = tmp.resolve("g2p-lr0");
        TaskTesting.ok(train(conf, still, parent, sets, "data.train=" + newer, "vocab.on-new-tokens=extend",
                "train.lr=1e-30"));
        assertAppended(parent, still.resolve("model"), "vocab-source.txt", newSource);
        assertAppended(parent, still.resolve("model"), "vocab-target.txt", newTarget);
        assertEquals(4, assertGrownRows(parent, still.resolve("model")).size(),
                "source and target embeddings, output weight and bias");
        Path extended = tmp.resolve("g2p-extended");
        TaskTesting.ok(train(conf, extended, parent, sets, "data.train=" + newer, "vocab.on-new-tokens=extend"));
        assertTrained(parent, extended, 2);

        Path unk = tmp.resolve("g2p-unk");
        TaskTesting.ok(train(conf, unk, parent, sets, "data.train=" + newer));
        for (String f : List.of("vocab-source.txt", "vocab-target.txt")) {
            assertArrayEquals(Files.readAllBytes(parent.resolve(f)), Files.readAllBytes(unk.resolve("model/" + f)), f);
        }
        long unseenSource = count(sources, vocabulary(parent, "vocab-source.txt"));
        long unseenTarget = count(targets, vocabulary(parent, "vocab-target.txt"));
        assertEquals(12, unseenSource, "z six times, q six times");
        assertEquals(unseenSource, unseenTarget);
        assertEquals(unseenSource, warmVocabulary(unk, "vocab-source.txt").get("unseen_tokens").asLong());
        assertEquals(unseenTarget, warmVocabulary(unk, "vocab-target.txt").get("unseen_tokens").asLong());
    }
}
