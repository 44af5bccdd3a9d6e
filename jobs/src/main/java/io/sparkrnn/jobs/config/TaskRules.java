package io.sparkrnn.jobs.config;

import io.sparkrnn.driver.corpus.forecast.Calendar;
import io.sparkrnn.driver.corpus.forecast.ForecastColumns;
import io.sparkrnn.driver.corpus.pairs.Seq2SeqData;
import java.util.List;

/** The rules among keys that only one task has (combinations its data or model cannot work with). */
final class TaskRules {
    private TaskRules() {
    }

    /**
     * {@code data.tokens = bpe} only where the task reads {@code data.tokens} (lm, tag and classify; seq2seq has a key
     * per side, a forecaster reads numbers).
     */
    static void tokens(JobConfig c, String task) {
        if (c.getChoice("data.tokens").equals("bpe") && !List.of("lm", "tag", "classify").contains(task)) {
            throw new ConfigException(c.source() + ": data.tokens = bpe applies to task = lm, tag and classify, not "
                    + "task = " + task + (task.equals("seq2seq") ? " (its sides: data.source-tokens, "
                    + "data.target-tokens)" : ""));
        }
    }

    static void lm(JobConfig c, DataSection data, ModelSection model, LmSection lm) {
        if (model.bidirectional()) {
            throw new ConfigException(c.source() + ": task = lm predicts the next token and cannot look ahead: "
                    + "model.bidirectional must be false");
        }
        if (!data.validation().isEmpty()) {
            throw new ConfigException(c.source() + ": task = lm holds out the end of data.train "
                    + "(data.validation-fraction); data.validation is not used, leave it empty");
        }
        if (data.format().equals("parquet") && lm.textColumn().isEmpty()) {
            throw new ConfigException(c.source() + ": data.text-column must name the Parquet column of the text");
        }
    }

    static void classify(JobConfig c, DataSection data) {
        int k1 = c.getInt("train.k1");
        int maxLength = c.getInt("data.max-length");
        if (k1 < maxLength) {
            throw new ConfigException(c.source() + ": task = classify reads each text in one window: train.k1 ("
                    + k1 + ") must be >= data.max-length (" + maxLength + ")");
        }
        heldOutParts(c, data);
    }

    /**
     * Tag and classify: a test part (data.test-fraction) is cut from data.train by the seeded split, beside the
     * validation part, so it needs that split (no data.validation corpus) and leaves some data for training.
     */
    static void heldOutParts(JobConfig c, DataSection data) {
        if (!(data.testFraction() > 0)) {
            return;
        }
        if (!data.validation().isEmpty()) {
            throw new ConfigException(c.source() + ": data.test-fraction holds out a test part of data.train beside "
                    + "the validation part (data.validation-fraction); with a data.validation corpus leave it 0");
        }
        if (data.validationFraction() + data.testFraction() >= 1) {
            throw new ConfigException(c.source() + ": data.validation-fraction + data.test-fraction must be < 1");
        }
    }

    static void forecast(JobConfig c, DataSection data, ForecastColumns k) {
        String where = c.source() + ": ";
        if (k.time().isEmpty() || k.features().isEmpty() || k.targets().isEmpty()) {
            throw new ConfigException(where + "forecast.time-columns, forecast.features and forecast.targets must each "
                    + "name at least one column");
        }
        if (!k.features().containsAll(k.targets())) {
            throw new ConfigException(where + "forecast.targets " + k.targets() + " must also be in forecast.features "
                    + k.features());
        }
        if (k.season() > k.window()) {
            throw new ConfigException(where + "forecast.season (" + k.season() + ") must be <= forecast.window ("
                    + k.window() + "): the seasonal-naive baseline reads the window");
        }
        int k1 = c.getInt("train.k1");
        if (k.window() > k1) {
            throw new ConfigException(where + "forecast.window (" + k.window() + ") must be <= train.k1 ("
                    + k1 + "): each window is trained in one truncated-BPTT window");
        }
        for (String cov : k.calendar()) {
            if (!Calendar.NAMES.contains(cov)) {
                throw new ConfigException(where + "forecast.calendar: unknown covariate '" + cov + "'; expected some "
                        + "of " + Calendar.NAMES);
            }
        }
        if (!k.calendar().isEmpty() && k.time().size() != 1 && k.time().size() != 3) {
            throw new ConfigException(where + "forecast.calendar needs a date: forecast.time-columns must be 3 "
                    + "columns (year, month, day) or 1 ISO date column, found " + k.time());
        }
        if (!(data.validationFraction() > 0) && k.validationRows() == 0) {
            throw new ConfigException(where + "task = forecast needs data.validation-fraction > 0 or "
                    + "forecast.validation-rows > 0 (the rows after the training part)");
        }
        if (!data.validation().isEmpty()) {
            throw new ConfigException(where + "task = forecast splits one series by time (data.validation-fraction, "
                    + "data.test-fraction); data.validation is not used, leave it empty");
        }
    }

    static void seq2seq(JobConfig c, DataSection data, ModelSection model, Seq2SeqSection s, DecodeSection decode) {
        String where = c.source() + ": ";
        int decHidden = s.decoderHidden(model);
        if (s.tieEmbeddings() && decHidden != model.embedding()) {
            throw new ConfigException(where + "model.tie-embeddings = true makes the output layer's weight the target "
                    + "embedding: the decoder's hidden size (model.decoder-hidden = " + c.getInt("model.decoder-hidden")
                    + (c.getInt("model.decoder-hidden") == 0 ? ", the encoder output width " + decHidden : "")
                    + ") must equal model.embedding = " + model.embedding());
        }
        try {
            s.spec(model, decode, 8, 8);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "model.attention, model.input-feeding, model.decoder-hidden: "
                    + e.getMessage());
        }
        if (!(data.validationFraction() > 0)) {
            throw new ConfigException(where + "task = seq2seq needs data.validation-fraction > 0");
        }
        if (!data.validation().isEmpty()) {
            throw new ConfigException(where + "task = seq2seq splits data.train by a seeded hash "
                    + "(data.validation-fraction, data.test-fraction); data.validation is not used, leave it empty");
        }
        if (data.validationFraction() + data.testFraction() >= 1) {
            throw new ConfigException(where + "data.validation-fraction + data.test-fraction must be < 1");
        }
        if (data.format().equals("tsv-pairs")) {
            for (String key : List.of("data.source-column", "data.target-column")) {
                try {
                    Seq2SeqData.column(c.getString(key));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + key + ": " + e.getMessage());
                }
            }
        }
        int threads = c.getInt("train.engine-threads");
        if (threads != 1) {
            throw new ConfigException(where + "task = seq2seq trains on one engine thread per task: expected "
                    + "train.engine-threads = 1, found " + threads);
        }
    }
}
