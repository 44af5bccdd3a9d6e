package io.sparkrnn.driver.corpus.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrnn.driver.corpus.bad.BadRecords;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.List;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/** The starting options of each token unit: the same defaults, only the tokens and what goes with them differ. */
class LmOptionsTest {
    @Test
    void wordsAndPiecesShareTheDefaultsOfChars() {
        assertEquals(new LmOptions(TokenUnit.CHARS, 1, Integer.MAX_VALUE, List.of(), null, 2, 32, 64, 0.1,
                BadRecords.DEFAULT_MAX_BAD_FRACTION, 0, StorageLevel.MEMORY_AND_DISK(), null, 0, null),
                LmOptions.chars());
        assertEquals(new LmOptions(TokenUnit.WORDS, 1, Integer.MAX_VALUE, List.of("<pad>", "<unk>", "<bos>", "<eos>"),
                "<eos>", 2, 32, 64, 0.1, BadRecords.DEFAULT_MAX_BAD_FRACTION, 0, StorageLevel.MEMORY_AND_DISK(),
                null, 0, null), LmOptions.words());
        assertEquals(new LmOptions(TokenUnit.BPE, 1, Integer.MAX_VALUE, Vocabulary.SPECIALS, Vocabulary.EOS, 2, 32,
                64, 0.1, BadRecords.DEFAULT_MAX_BAD_FRACTION, 0, StorageLevel.MEMORY_AND_DISK(), null, 500, null),
                LmOptions.pieces(500, null));
        assertThrows(IllegalArgumentException.class, () -> LmOptions.pieces(0, null));
    }
}
