package io.sparkrnn.jobs;

import io.sparkrnn.jobs.config.ConfigException;
import io.sparkrnn.jobs.config.ConfigSchema;

/**
 * The tasks by name; a new task is added here and, with the formats it reads and the rules among its keys, to the
 * config package ({@link ConfigSchema#TASKS}, {@link ConfigSchema#formats}, {@code TaskRules}).
 */
final class Tasks {
    private Tasks() {
    }

    static Task of(String name) {
        return switch (name) {
            case "lm" -> new LmTask();
            case "tag" -> new TaggingTask();
            case "classify" -> new ClassificationTask();
            case "forecast" -> new ForecastTask();
            case "seq2seq" -> new Seq2SeqTask();
            default -> throw new ConfigException("unknown task '" + name + "'; tasks: "
                    + String.join(", ", ConfigSchema.TASKS));
        };
    }
}
