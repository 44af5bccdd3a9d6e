package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.corpus.text.WarmVocabularies;
import io.sparkrnn.driver.corpus.text.bpe.Bpe;
import io.sparkrnn.driver.task.PreparedData;
import io.sparkrnn.jobs.config.JobSettings;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A task whose model has token vocabularies fitted on its training part (tag, classify, seq2seq), which a warm
 * start keeps or extends ({@code vocab.on-new-tokens}, {@link WarmVocabularies}). The language model, whose reader
 * fits its one vocabulary while it cuts the text, has its own path ({@link LmTask}).
 */
interface VocabularyTask extends Task {
    /** The model's vocabularies by file name, each checked against the rows of the model it belongs to. */
    Map<String, Vocabulary> vocabularies(TrainedModel m);

    /** The model's byte-pair-encoding merges by file name, which a warm start keeps (none by default). */
    default Map<String, Bpe> merges(TrainedModel m) {
        return Map.of();
    }

    /** The data of a run whose vocabularies are {@code vocabularies}' (the parent's, grown or not). */
    PreparedData prepare(JavaSparkContext sc, JobSettings job, WarmVocabularies vocabularies);

    @Override
    default PreparedData prepare(JavaSparkContext sc, JobSettings job) {
        return prepare(sc, job, WarmVocabularies.NONE);
    }
}
