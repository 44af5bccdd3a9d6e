package io.sparkrnn.driver.round;

import io.sparkrnn.driver.corpus.Corpus;
import io.sparkrnn.driver.corpus.batching.Encoded;
import io.sparkrnn.driver.corpus.pairs.EncodedPair;
import io.sparkrnn.driver.corpus.pairs.PairReader;
import io.sparkrnn.driver.corpus.pairs.TextPair;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.Seq2SeqSpec;
import io.sparkrnn.engine.model.Seq2SeqSpec.Attention;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** The CMUdict sample read, split and encoded as the seq2seq task does, and a spec on its vocabularies. */
public final class Seq2SeqFixtures {
    /** The shipped sample, 6,082 lines (5,705 without alternate pronunciations). */
    public static final String CMU = Path.of("..", "data", "samples", "cmudict", "cmudict-sample.txt")
            .toAbsolutePath().normalize().toString();
    /** One word in this many is held out (by a hash of the word). */
    static final int HOLD_OUT = 10;

    private Seq2SeqFixtures() {
    }

    /** Encoded training and held-out pairs with the letter and phone vocabularies (fitted on all words). */
    public record Cmudict(JavaRDD<EncodedPair> train, JavaRDD<EncodedPair> heldOut, Vocabulary letters,
            Vocabulary phones) {
    }

    public static Cmudict cmudict(JavaSparkContext sc) {
        Corpus<TextPair> c = PairReader.cmudict(sc, CMU, false, 0.0);
        Vocabulary letters = Vocabulary.fit(c.records().flatMap(p -> List.of(p.source()).iterator()), 1, 1000);
        Vocabulary phones = Vocabulary.fit(c.records().flatMap(p -> List.of(p.target()).iterator()), 1, 1000);
        JavaRDD<TextPair> train = c.records().filter(p -> !heldOut(p));
        JavaRDD<TextPair> held = c.records().filter(Seq2SeqFixtures::heldOut);
        return new Cmudict(EncodedPair.encode(train, letters, phones).cache(),
                EncodedPair.encode(held, letters, phones).cache(), letters, phones);
    }

    static boolean heldOut(TextPair p) {
        return Math.floorMod(String.join("", p.source()).hashCode() * 0x9E3779B1, HOLD_OUT) == 0;
    }

    /**
     * An LSTM encoder-decoder on the vocabularies' ids (padding {@link Vocabulary#PAD_ID}, begin
     * {@link Vocabulary#BOS_ID}, end {@link Vocabulary#EOS_ID}) with Luong GENERAL attention and input feeding;
     * decoding stops after 2 x the source length.
     */
    public static Seq2SeqSpec spec(Cmudict d, int embedding, int hidden, boolean bidirectional) {
        return new Seq2SeqSpec(d.letters().size(), d.phones().size(), embedding, embedding, CellType.LSTM, hidden, 1,
                bidirectional, hidden, 1, 0.0, Attention.GENERAL, true, Vocabulary.PAD_ID, Vocabulary.BOS_ID,
                Vocabulary.EOS_ID, 64, 2.0);
    }
}
