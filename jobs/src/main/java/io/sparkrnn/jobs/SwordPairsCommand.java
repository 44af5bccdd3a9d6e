package io.sparkrnn.jobs;

import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.sword.SwordModule;
import io.sparkrnn.driver.corpus.sword.VersePairs;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sword-pairs --sword <dir> --source <module> --target <module> --out <file.tsv>}, not listed in the help:
 * two SWORD zText Bible modules of one installation aligned verse by verse into
 * {@code <Book.Chapter.Verse>\t<source text>\t<target text>} lines ({@link VersePairs}), the data of a
 * {@code tsv-pairs} seq2seq run. {@code scripts/fetch-data.sh kjv-web} runs it on the Debian packages of the King
 * James Version and the World English Bible. The file is written whole or not at all.
 */
@Command(name = "sword-pairs", hidden = true, synopsisHeading = "usage: ",
        customSynopsis = "spark-rnn sword-pairs --sword <dir> --source <module> --target <module> --out <file.tsv>",
        descriptionHeading = "%n", description = "align two SWORD zText Bible modules verse by verse into "
                + "<Book.Chapter.Verse>TAB<source>TAB<target> lines (plain text: notes, titles and Strong's numbers "
                + "dropped); verses that do not pair are left out and counted",
        optionListHeading = "%noptions:%n", footerHeading = "%n", footer = """
                example:
                  bin/spark-rnn sword-pairs --sword /tmp/sword/usr/share/sword --source engKJV2006eb \\
                      --target engWEB2015eb --out data/full/kjv-web/kjv-web.tsv""")
final class SwordPairsCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--sword", required = true, paramLabel = "<dir>", description = "the SWORD installation: the "
            + "folder holding mods.d/ and modules/ (a local path or a URI)")
    private String sword;
    @Option(names = "--source", required = true, paramLabel = "<module>", description = "the source module's name "
            + "(e.g. engKJV2006eb)")
    private String source;
    @Option(names = "--target", required = true, paramLabel = "<module>", description = "the target module's name "
            + "(e.g. engWEB2015eb)")
    private String target;
    @Option(names = "--out", required = true, paramLabel = "<file.tsv>", description = "the file to write (a local "
            + "path or a URI); replaced if it exists")
    private String outPath;
    @Mixin
    private Cli.HelpOption help;

    SwordPairsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        Location root = Location.of(sword, "--sword");
        Location dest = Location.of(outPath, "--out");
        if (!root.isFolder()) {
            throw new InputException("--sword " + sword + ": no such folder");
        }
        SwordModule.Files files = new SwordModule.Files() {
            @Override
            public byte[] read(String path) throws IOException {
                Location f = root.resolve(path);
                if (!f.isFile()) {
                    throw new FileNotFoundException(f.toString());
                }
                return f.readBytes();
            }

            @Override
            public String show(String path) {
                return root.resolve(path).toString();
            }
        };
        VersePairs pairs;
        SwordModule s;
        SwordModule t;
        try {
            s = SwordModule.read(files, source);
            t = SwordModule.read(files, target);
            pairs = VersePairs.align(s, t);
        } catch (CorpusException e) {
            throw new InputException(e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (pairs.pairs().isEmpty()) {
            throw new InputException(sword + ": modules " + source + " and " + target + " share no verse");
        }
        dest.writeString(pairs.tsv());
        out.println("sword-pairs: " + pairs.describe(s, t) + "; written to " + dest);
        return Main.OK;
    }
}
