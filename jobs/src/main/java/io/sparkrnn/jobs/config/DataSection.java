package io.sparkrnn.jobs.config;

/**
 * The {@code data.*} keys every task reads.
 *
 * @param train              {@code data.train}: the training corpus (a path, URI or glob)
 * @param validation         {@code data.validation}: a separate validation corpus, or empty
 * @param format             {@code data.format} resolved: {@code auto} is the task's usual format
 * @param validationFraction {@code data.validation-fraction}
 * @param testFraction       {@code data.test-fraction}
 * @param maxBadFraction     {@code data.max-bad-fraction}
 */
public record DataSection(String train, String validation, String format, double validationFraction,
        double testFraction, double maxBadFraction) {

    static DataSection of(JobConfig c, String task) {
        String format = c.getChoice("data.format");
        return new DataSection(c.getString("data.train"), c.getString("data.validation"),
                format.equals("auto") ? ConfigSchema.formats(task).get(0) : format,
                c.getDouble("data.validation-fraction"), c.getDouble("data.test-fraction"),
                c.getDouble("data.max-bad-fraction"));
    }
}
