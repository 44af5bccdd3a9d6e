package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.engine.util.Suggest;
import io.sparkrnn.jobs.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How every command line of the project runs, spark-rnn's commands and the bench module's benchmarks: picocli
 * reads the arguments into each command's typed options and prints its {@code --help}; this class gives what goes
 * wrong the exit codes of {@link Main}, each with one line on stderr: an option picocli refuses (unknown, missing,
 * of the wrong type) exactly like a config the command refuses, as {@code spark-rnn: config error: ...}.
 */
public final class Cli {
    /** Help lines are wrapped at this width; the help texts' command lines (usage, examples) fit on one line each. */
    static final int HELP_WIDTH = 120;
    /** Options with their value label up to this wide keep their description on their line. */
    private static final int LONG_OPTIONS_WIDTH = 30;
    /** An option misspelt by at most this many edits is suggested. */
    private static final int SUGGEST_DISTANCE = 2;

    private Cli() {
    }

    /** The {@code -h, --help} option of every command: prints the command's help and exits with 0. */
    public static final class HelpOption {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
        boolean help;
    }

    /**
     * Runs {@code args} against {@code command} (its subcommands added); returns the command's exit code, 0 after
     * {@code --help}, 2 for a command-line or config error, 3 for bad input and 1 for any other failure, with a line
     * on {@code err} for each error (and the stack trace for the last). Help goes to {@code out}.
     */
    public static int execute(CommandLine command, String[] args, PrintStream out, PrintStream err) {
        PrintWriter help = new PrintWriter(out, true);
        command.setOut(help)
                .setErr(new PrintWriter(err, true))
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setUsageHelpWidth(HELP_WIDTH)
                .setUsageHelpLongOptionsMaxWidth(LONG_OPTIONS_WIDTH)
                .setCaseInsensitiveEnumValuesAllowed(true)
                // a repeated option: the last one counts; an argument starting with @ is itself, not a file of them
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setParameterExceptionHandler((e, given) -> {
                    err.println("spark-rnn: config error: " + describe(e, given) + " (see "
                            + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
                    return Main.BAD_CONFIG;
                })
                .setExecutionExceptionHandler((e, cl, parsed) -> failed(e, cl, err));
        try {
            return command.execute(args);
        } finally {
            help.flush();
        }
    }

    /**
     * A failed command's exit code and line: config error 2, bad input 3, a storage error (an IOException in the
     * causes) 1 with its messages, anything else 1 with its stack trace.
     */
    private static int failed(Exception e, CommandLine command, PrintStream err) {
        // bad data found inside a Spark task reaches the driver wrapped in a SparkException: report the cause
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof InputException || c instanceof CorpusException || c instanceof ConfigException) {
                return failed((Exception) c, command, err);
            }
        }
        if (e instanceof ConfigException) {
            err.println("spark-rnn: config error: " + e.getMessage());
            return Main.BAD_CONFIG;
        }
        if (e instanceof InputException || e instanceof CorpusException) {
            err.println("spark-rnn: bad input: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        String name = command.getCommandSpec().qualifiedName().replaceFirst("^spark-rnn ", "");
        // The storage failed (a DataNode gone, a disk full): its messages say what and where; no stack trace.
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException) {
                err.println("spark-rnn: " + name + " failed: storage error: " + messages(e));
                return Main.FAILED;
            }
        }
        err.println("spark-rnn: " + name + " failed: " + e);
        e.printStackTrace(err);
        return Main.FAILED;
    }

    /**
     * The messages of an exception and its causes, each once (a wrapper often repeats its cause's), each cut to its
     * first line: an HDFS client's {@code RemoteException} carries the NameNode's stack trace after it.
     */
    static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip().lines()
                    .findFirst().orElse("").strip();
            if (!sb.toString().contains(m)) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    /**
     * What picocli refused, in one line naming the argument and what was expected. An unknown argument is named
     * before a missing one, since a misspelt option is usually both.
     */
    static String describe(ParameterException e, String[] given) {
        CommandLine command = e.getCommandLine();
        List<String> unmatched = command.getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            return unmatched(command, unmatched.get(0));
        }
        if (e instanceof MissingParameterException m) {
            return missing(command, m.getMissing(), given);
        }
        ArgSpec arg = e.getArgSpec();
        String expected = arg == null || e.getValue() == null ? null : expected(arg);
        if (expected == null) {
            return e.getMessage().replaceAll("\\s*\\R\\s*", " ");
        }
        return name(arg) + " expects " + expected + ", found '" + e.getValue() + "'";
    }

    private static String unmatched(CommandLine command, String arg) {
        if (arg.startsWith("-") && arg.length() > 1) {
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            List<String> names = new ArrayList<>(command.getCommandSpec().optionsMap().keySet());
            String nearest = Suggest.nearest(option, names);
            return "unknown option '" + option + "'" + (nearest != null
                    && Suggest.editDistance(option, nearest) <= SUGGEST_DISTANCE ? "; did you mean '" + nearest + "'?" : "");
        }
        if (!command.getSubcommands().isEmpty()) {
            return "unknown command '" + arg + "'; commands: " + String.join(", ", command.getSubcommands().keySet());
        }
        return "unexpected argument '" + arg + "'";
    }

    /** {@code --set needs key=value} for an option given without its value, else {@code export needs --out <path>}. */
    private static String missing(CommandLine command, List<ArgSpec> missing, String[] given) {
        List<String> parts = new ArrayList<>();
        for (ArgSpec a : missing) {
            if (a instanceof OptionSpec o && Arrays.stream(given).anyMatch(g -> Arrays.stream(o.names())
                    .anyMatch(n -> g.equals(n) || g.startsWith(n + "=")))) {
                return o.longestName() + " needs " + o.paramLabel();
            }
            parts.add(a instanceof OptionSpec o ? o.longestName() + " " + o.paramLabel() : a.paramLabel());
        }
        return command.getCommandName() + " needs " + String.join(" and ", parts);
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    /** The values an argument takes, in words (a list option: each item), or null for a type without words here. */
    private static String expected(ArgSpec arg) {
        boolean list = arg.isMultiValue() && !arg.splitRegex().isEmpty();
        Class<?> type = arg.isMultiValue() ? arg.auxiliaryTypes()[0] : arg.type();
        String what;
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            what = list ? "whole numbers" : "a whole number";
        } else if (type == double.class || type == Double.class) {
            what = list ? "numbers" : "a number";
        } else if (type.isEnum()) {
            List<String> names = Arrays.stream(type.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT)).toList();
            what = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        } else {
            return null;
        }
        return list ? what + " separated by commas" : what;
    }
}
