package io.sparkrnn.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.round.InnerStatePolicy;
import io.sparkrnn.driver.round.OuterOptimizer;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.SequenceSpec;
import io.sparkrnn.engine.optim.LrSchedule;
import io.sparkrnn.engine.optim.OptimizerType;
import io.sparkrnn.engine.tensor.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed sections a checked config gives, and the rules among keys that building them enforces. */
class JobSettingsTest {

    /** A file of the repository (the shipped configs), found from the module's folder. */
    static Path conf(String relative) {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("pom.xml")) && Files.exists(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no directory with pom.xml and README.md above "
                    + Paths.get("").toAbsolutePath());
        }
        return p.resolve(relative);
    }

    private static JobSettings settings(String conf, String... sets) {
        return JobSettings.of(JobConfig.load(conf == null ? null : conf(conf), List.of(sets)));
    }

    private static ConfigException refused(String conf, String... sets) {
        return assertThrows(ConfigException.class, () -> settings(conf, sets));
    }

    private static void assertMentions(ConfigException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void theDefaultsAsSections() {
        JobSettings s = settings(null);
        assertEquals("lm", s.task());
        assertEquals("(defaults)", s.source());
        assertEquals("local[*]", s.master());
        assertEquals(new DataSection("data/samples/moby-dick/moby-dick.txt", "", "text", 0.1, 0.0, 0.001), s.data());
        assertEquals(new VocabSection(1, 50000), s.vocab());
        assertEquals(new ModelSection(CellType.LSTM, 32, 256, 1, false, 0.0, 0.0, SequenceSpec.Pooling.LAST),
                s.model());
        assertEquals(new LmSection(TokenUnit.CHARS, "text", 8000), s.lm());
        assertEquals(new TaggingSection(0, 1, true, false, TokenUnit.WORDS, 8000), s.tagging());
        assertEquals(new ClassifySection(TokenUnit.CHARS, false, 200, Map.of(), 8000), s.classify());
        assertEquals(new DecodeSection(1, 0.6, 3.0, 0), s.decode());
        TrainSection t = s.train();
        assertEquals(32, t.batch());
        assertEquals(64, t.k1());
        assertEquals(64, t.tbptt().k2());
        assertEquals(1.0, t.tbptt().clip().maxNorm(), 0);
        assertEquals(1234L, t.seed());
        assertEquals(2, t.partitions());
        assertEquals(1, t.engineThreads());
        assertEquals(Precision.FLOAT32, t.precision());
        assertEquals(20L, t.rounds());
        assertEquals(0.0, t.maxMinutes(), 0);
        assertEquals(10, t.evalEvery());
        assertEquals(OptimizerType.ADAM, t.inner().type());
        assertEquals(LrSchedule.constant(3e-3), t.schedule());
        assertEquals(25, t.round().localSteps());
        assertEquals(Double.POSITIVE_INFINITY, t.round().clipNorm(), 0);
        assertEquals(OuterOptimizer.Type.PLAIN, t.round().outer().type());
        assertEquals(InnerStatePolicy.RESET, t.round().innerState());
        assertEquals("out/char-lm", s.output().dir());
        assertFalse(s.output().overwrite());
        assertEquals(5, s.output().checkpoints().everyRounds());
        assertEquals(2, s.output().checkpoints().keepLast());
    }

    @Test
    void theShippedSeq2SeqConfigAsSections() {
        JobSettings s = settings("conf/cmudict-g2p.conf");
        assertEquals("seq2seq", s.task());
        assertTrue(s.source().endsWith("cmudict-g2p.conf"), s.source());
        assertEquals(new DataSection("data/samples/cmudict/cmudict-sample.txt", "", "cmudict", 0.05, 0.05, 0.001),
                s.data());
        assertEquals(new Seq2SeqSection(false, TokenUnit.CHARS, TokenUnit.WORDS, "source", "target", false, 32,
                Seq2SeqSpec.Attention.GENERAL, true, 0, 0, false, 0.0, 0, 8000), s.seq2seq());
        assertEquals(new DecodeSection(3, 0.6, 3.0, 0), s.decode());
        assertEquals(64, s.model().hidden());
        assertEquals(InnerStatePolicy.AVERAGE, s.train().round().innerState());
        assertEquals(20, s.train().round().localSteps());
        assertEquals(LrSchedule.constant(5e-3), s.train().schedule());
        assertEquals(5, s.train().evalEvery());
        assertEquals("out/cmudict-g2p", s.output().dir());
        // the decoder as wide as the (unidirectional) encoder, as many layers; the caps of data and decode
        Seq2SeqSpec spec = s.seq2seqSpec(40, 50);
        assertEquals(64, spec.decoderHidden());
        assertEquals(1, spec.decoderLayers());
        assertEquals(32, spec.maxSourceLength());
        Seq2SeqSpec wide = settings("conf/cmudict-g2p.conf", "model.bidirectional=true").seq2seqSpec(40, 50);
        assertEquals(128, wide.decoderHidden());
    }

    @Test
    void theShippedForecastConfigAsColumns() {
        JobSettings s = settings("conf/births-forecast.conf");
        assertEquals("csv", s.data().format());
        assertEquals(List.of("year", "month", "date_of_month"), s.forecast().time());
        assertEquals(List.of("births"), s.forecast().features());
        assertEquals(List.of("births"), s.forecast().targets());
        assertEquals(List.of("day-of-week", "day-of-year", "us-holidays"), s.forecast().calendar());
        assertEquals(56, s.forecast().window());
        assertEquals(1, s.forecast().horizon());
        assertEquals(7, s.forecast().season());
        assertTrue(s.forecast().residual());
        assertEquals(365L, s.forecast().validationRows());
        assertEquals(366L, s.forecast().testRows());
        assertEquals(56, s.train().k1());
        assertEquals(160L, s.train().rounds());
    }

    @Test
    void folderLabelsInOrderForAClassifierOnly() {
        JobSettings s = settings(null, "task=classify", "data.format=folders", "data.max-length=64",
                "data.folders=spam-1:spam, ham-1 : ham,easy-ham:ham", "data.tokens=word", "data.lowercase=true");
        assertEquals(List.of("spam-1", "ham-1", "easy-ham"), new ArrayList<>(s.classify().folderLabels().keySet()));
        assertEquals(List.of("spam", "ham", "ham"), new ArrayList<>(s.classify().folderLabels().values()));
        assertEquals(TokenUnit.WORDS, s.classify().tokens());
        assertTrue(s.classify().lowercase());
        assertEquals("folders", s.data().format());
        // the tagger does not read data.folders
        assertEquals(Map.of(), settings(null, "task=tag", "data.folders=nonsense").classify().folderLabels());
        assertMentions(refused(null, "task=classify", "data.max-length=64", "data.folders=spam-1:spam,ham-1"),
                "(defaults): data.folders expects folder:label pairs", "'ham-1'");
    }

    @Test
    void rulesAmongKeysNameTheKeys() {
        assertMentions(refused(null, "train.k1=16", "train.k2=32"), "(defaults): train.k2 must be <= train.k1 = 16",
                "found 32");
        assertMentions(refused(null, "train.outer=nesterov"), "train.outer = nesterov needs train.outer-momentum > 0");
        assertMentions(refused(null, "task=tag", "data.format=csv"), "data.format = csv does not fit task = tag",
                "brown | conll");
        assertMentions(refused(null, "task=tag", "model.bidirectional=true", "train.k2=32"),
                "model.bidirectional = true needs train.k2 = train.k1 = 64", "found 32");
        assertMentions(refused(null, "model.bidirectional=true"), "task = lm", "model.bidirectional must be false");
        assertMentions(refused(null, "data.validation=v.txt"), "task = lm holds out the end of data.train",
                "data.validation is not used");
        assertMentions(refused(null, "task=classify", "train.k1=100", "train.k2=100"),
                "train.k1 (100) must be >= data.max-length (200)");
        assertMentions(refused("conf/births-forecast.conf", "train.k1=20", "train.k2=20"),
                "births-forecast.conf: forecast.window (56) must be <= train.k1 (20)");
        assertMentions(refused("conf/births-forecast.conf", "forecast.season=60"),
                "forecast.season (60) must be <= forecast.window (56)");
        assertMentions(refused(null, "train.precision=fp16"), "train.precision", "float32", "bf16", "fp16");
        assertEquals(Precision.BF16, settings("conf/cmudict-g2p.conf", "train.precision=bf16").train().precision());
        // The key reaches every replica's setup (ReplicaSetup -> the trainer's setPrecision).
        assertEquals(Precision.BF16, settings(null, "train.precision=bf16").train()
                .setup(SequenceSpec.languageModel(16, 4, CellType.LSTM, 8, 1, 0.0)).precision());
        assertEquals(Precision.FLOAT32, settings(null).train()
                .setup(SequenceSpec.languageModel(16, 4, CellType.LSTM, 8, 1, 0.0)).precision());
        assertMentions(refused("conf/cmudict-g2p.conf", "train.engine-threads=2"),
                "cmudict-g2p.conf: task = seq2seq", "expected train.engine-threads = 1, found 2");
        assertMentions(refused("conf/cmudict-g2p.conf", "data.validation-fraction=0.5", "data.test-fraction=0.5"),
                "data.validation-fraction + data.test-fraction must be < 1");
        assertMentions(refused(null, "task=classify", "train.k1=200", "train.k2=200", "data.validation-fraction=0.5",
                "data.test-fraction=0.5"),
                "data.validation-fraction + data.test-fraction must be < 1");
        assertMentions(refused(null, "task=tag", "data.format=brown", "data.train=" + conf("conf"),
                "data.validation=" + conf("conf"), "data.test-fraction=0.1"),
                "data.test-fraction holds out a test part of data.train", "with a data.validation corpus leave it 0");
        assertMentions(refused("conf/cmudict-g2p.conf", "model.attention=dot", "model.decoder-hidden=32"),
                "model.attention, model.input-feeding, model.decoder-hidden:");
        assertMentions(refused(null, "train.warmup-steps=1000", "train.rounds=2", "train.local-steps=10"),
                "train.warmup-steps must be <= train.rounds * train.local-steps = 20, found 1000");
    }

    @Test
    void theSeq2SeqRegularisationKeysReachTheSpec() {
        JobSettings s = settings("conf/translate.conf", "model.tie-embeddings=true", "model.decoder-hidden=64",
                "model.io-dropout=0.2", "train.label-smoothing=0.1", "decode.no-repeat-ngram=3");
        Seq2SeqSpec spec = s.seq2seqSpec(100, 120);
        assertTrue(spec.tieEmbeddings());
        assertEquals(64, spec.decoderHidden());
        assertEquals(0.2, spec.ioDropout(), 0);
        assertEquals(0.1, spec.labelSmoothing(), 0);
        assertEquals(3, s.decode().settings().noRepeatNgram());
        // the defaults (conf/cmudict-g2p.conf sets none of these keys): none of them
        Seq2SeqSpec plain = settings("conf/cmudict-g2p.conf").seq2seqSpec(100, 120);
        assertEquals(List.of(false, 0.0, 0.0, 0), List.of(plain.tieEmbeddings(), plain.ioDropout(),
                plain.labelSmoothing(), settings("conf/cmudict-g2p.conf").decode().noRepeatNgram()));
        // conf/translate.conf ties with a 64-unit decoder; with decoder-hidden 0 the output layer would read the
        // decoder's 128 units (the encoder output width) and the embedding has 64
        assertTrue(settings("conf/translate.conf").seq2seqSpec(100, 120).tieEmbeddings());
        assertMentions(refused("conf/translate.conf", "model.decoder-hidden=0"),
                "model.tie-embeddings = true", "model.decoder-hidden = 0, the encoder output width 128",
                "must equal model.embedding = 64");
        assertMentions(refused("conf/translate.conf", "train.label-smoothing=1"), "train.label-smoothing");
    }

    @Test
    void trainingAlsoChecksTheInputsAndTheDriversRoom() {
        List<String> asked = new ArrayList<>();
        JobSettings.InputCheck record = (key, path, format) -> asked.add(key + " " + path + " " + format);
        JobConfig tag = JobConfig.load(null, List.of("task=tag", "data.train=a", "data.validation=b"));
        JobSettings.forTraining(tag, record, 16L << 30);
        assertEquals(List.of("data.train a brown", "data.validation b brown"), asked);
        asked.clear();
        JobSettings.of(tag);
        assertEquals(List.of(), asked, "a saved model's config does not check its training inputs");
        // 100,000 hidden units: a saved config may name them, a training run is refused before any data is read
        JobConfig huge = JobConfig.load(null, List.of("model.hidden=100000"));
        assertEquals(100000, JobSettings.of(huge).model().hidden());
        ConfigException e = assertThrows(ConfigException.class, () -> JobSettings.forTraining(huge, record, 16L << 30));
        assertMentions(e, "model.hidden = 100000", "40,013,700,033 parameters", "one float32 vector");
        // an input the check refuses stops the build there: the rules after it (bidirectional k2) are not reached
        JobSettings.InputCheck none = (key, path, format) -> {
            throw new ConfigException("no " + key);
        };
        JobConfig both = JobConfig.load(null, List.of("task=tag", "model.bidirectional=true", "train.k2=8"));
        assertEquals("no data.train", assertThrows(ConfigException.class,
                () -> JobSettings.forTraining(both, none, 16L << 30)).getMessage());
    }

    @Test
    void aModelTooLargeForTheDriversHeapIsRefused() {
        // 12,000 fit a vector (576 M parameters) but not three copies in 4 GiB
        ModelSection m = new ModelSection(CellType.LSTM, 32, 12_000, 1, false, 0, 0, SequenceSpec.Pooling.LAST);
        JobConfig c = JobConfig.load(null, List.of());
        ConfigException e = assertThrows(ConfigException.class, () -> JobSettings.requireRoom(c, m, 4L << 30));
        assertMentions(e, "(defaults): model.hidden = 12000", "three copies in a heap of 4,096 MiB");
        JobSettings.requireRoom(c, m, 16L << 30);
    }
}
