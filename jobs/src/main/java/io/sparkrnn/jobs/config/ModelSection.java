package io.sparkrnn.jobs.config;

import io.sparkrnn.engine.cell.CellType;
import io.sparkrnn.engine.model.SequenceSpec;
import java.util.Locale;

/**
 * The {@code model.*} keys every task reads; a task builds its model spec from these and the sizes its data gives
 * (vocabulary, tags, classes, columns). The decoder keys of seq2seq are in {@link Seq2SeqSection}.
 *
 * @param cell          {@code model.cell}
 * @param embedding     {@code model.embedding}
 * @param hidden        {@code model.hidden}
 * @param layers        {@code model.layers}
 * @param bidirectional {@code model.bidirectional}
 * @param dropout       {@code model.dropout}
 * @param ioDropout     {@code model.io-dropout}
 * @param pooling       {@code model.pooling}
 */
public record ModelSection(CellType cell, int embedding, int hidden, int layers, boolean bidirectional,
        double dropout, double ioDropout, SequenceSpec.Pooling pooling) {

    static ModelSection of(JobConfig c) {
        return new ModelSection(CellType.parse(c.getChoice("model.cell")), c.getInt("model.embedding"),
                c.getInt("model.hidden"), c.getInt("model.layers"), c.getBoolean("model.bidirectional"),
                c.getDouble("model.dropout"), c.getDouble("model.io-dropout"),
                SequenceSpec.Pooling.valueOf(c.getChoice("model.pooling").toUpperCase(Locale.ROOT)));
    }
}
