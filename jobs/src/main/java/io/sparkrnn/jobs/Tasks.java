package io.sparkrnn.jobs;

import java.util.List;

/** The tasks by name; a new task is added here and to nothing else. */
final class Tasks {
    static final List<String> NAMES = List.of("lm", "tag", "classify", "forecast", "seq2seq");

    private Tasks() {
    }

    static Task of(String name) {
        return switch (name) {
            case "lm" -> new LmTask();
            case "tag" -> new TaggingTask();
            case "classify" -> new ClassificationTask();
            case "forecast" -> new ForecastTask();
            case "seq2seq" -> new Seq2SeqTask();
            default -> throw new ConfigException("unknown task '" + name + "'; tasks: " + String.join(", ", NAMES));
        };
    }
}
