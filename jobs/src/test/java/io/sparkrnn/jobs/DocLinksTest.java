package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file or folder that the docs, the configs and the code comments name exists.
 *
 * <p>Scanned: README.md, CHANGELOG.md, docs/*.md, data/README.md and conf/**&#47;*.conf (whole text), and the
 * comments and javadoc of every module's src/**&#47;*.java. Checked in them:
 * <ul>
 *   <li>relative markdown links {@code [text](path#anchor)}: the path, resolved from the file's folder, exists,
 *       and an anchor into a markdown file names one of its headings;</li>
 *   <li>repository paths such as {@code docs/config.md}, {@code conf/char-lm.conf}, {@code bin/spark-rnn},
 *       {@code data/samples/brown/cp01}: a token with a '/' whose first segment is an entry at the top of the
 *       repository (then resolved from the root) or in the file's own folder (then resolved from there);</li>
 *   <li>bare markdown file names ({@code README.md}, {@code SOURCE.md}): some file of the repository has it.</li>
 * </ul>
 * Not checked, by rule: URLs and absolute paths (a token right after ':' or '/', such as {@code hdfs://...} or
 * {@code /tmp/...}); tokens with glob or placeholder characters ({@code * ? [ ] { } < > $ ~}) or "..."; and
 * paths under what .gitignore lists ({@code target/}, {@code out/}, {@code data/full}: made at run time).
 */
class DocLinksTest {

    /** What the scanner needs to know about a repository; paths are relative to its root, '/'-separated. */
    interface Repo {
        boolean exists(String path);

        /** Under a .gitignore pattern: made at run time, not part of the repository. */
        boolean ignored(String path);

        boolean hasFileNamed(String name);

        /** The text of a file, or null. */
        String read(String path);
    }

    /** A pointer that leads nowhere: where it is and what is wrong. */
    record Dangling(String file, int line, String pointer, String why) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + pointer + " (" + why + ")";
        }
    }

    enum Kind { MARKDOWN, CONF, JAVA }

    /** Finds the pointers of one file's text and reports those that lead nowhere. */
    static final class Scanner {
        private static final Pattern LINK = Pattern.compile("\\[([^\\]\\n]*)\\]\\(([^)\\s]+)\\)");
        private static final Pattern PATH = Pattern.compile(
                "(?<![\\w.:/@$~\\-])([\\w.@+~$*?{}\\[\\]<>\\-]+(?:/[\\w.@+~$*?{}\\[\\]<>\\-]*)+)");
        private static final Pattern BARE_MD =
                Pattern.compile("(?<![\\w.:/@$~\\-])([\\w\\-]+(?:\\.[\\w\\-]+)*\\.md)\\b");
        private static final Pattern URL_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.\\-]*:");
        private static final Pattern NOT_A_PATH = Pattern.compile("[*?{}\\[\\]<>$~]|\\.\\.\\.");
        private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");

        private final Repo repo;

        Scanner(Repo repo) {
            this.repo = repo;
        }

        List<Dangling> scan(String file, String text, Kind kind) {
            String t = kind == Kind.JAVA ? javaComments(text) : text;
            String dir = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : "";
            List<Dangling> out = new ArrayList<>();
            if (kind == Kind.MARKDOWN) {
                StringBuilder rest = new StringBuilder(t);
                Matcher m = LINK.matcher(t);
                while (m.find()) {
                    String why = checkLink(dir, file, m.group(2));
                    if (why != null) {
                        out.add(new Dangling(file, line(t, m.start(2)), m.group(2), why));
                    }
                    for (int k = m.start(); k < m.end(); k++) {
                        rest.setCharAt(k, ' '); // checked as a link: its text and target are not checked again
                    }
                }
                t = rest.toString();
            }
            Matcher m = PATH.matcher(t);
            while (m.find()) {
                String token = trimEnd(m.group(1));
                String why = checkPath(dir, token);
                if (why != null) {
                    out.add(new Dangling(file, line(t, m.start(1)), token, why));
                }
            }
            Matcher b = BARE_MD.matcher(t);
            while (b.find()) {
                String name = b.group(1);
                int after = b.end(1);
                if (after < t.length() && t.charAt(after) == '/') {
                    continue; // a folder name that ends in .md, part of a path checked above
                }
                if (!repo.hasFileNamed(name)) {
                    out.add(new Dangling(file, line(t, b.start(1)), name, "no file of the repository has this name"));
                }
            }
            return out;
        }

        /** Null when the link leads somewhere, else why not. */
        private String checkLink(String dir, String file, String target) {
            if (URL_SCHEME.matcher(target).find()) {
                return null;
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? null : target.substring(hash + 1);
            String resolved = path.isEmpty() ? file : normalize(path.startsWith("/") ? path.substring(1)
                    : join(dir, path));
            if (resolved == null) {
                return "leaves the repository";
            }
            if (repo.ignored(resolved)) {
                return null;
            }
            if (!repo.exists(resolved)) {
                return "no such file or folder: " + resolved;
            }
            if (anchor != null && !anchor.isEmpty() && resolved.endsWith(".md")) {
                String text = repo.read(resolved);
                if (text != null && !anchors(text).contains(anchor)) {
                    return "no heading of " + resolved + " has the anchor #" + anchor;
                }
            }
            return null;
        }

        /** Null when the token is not a checked path or names something that exists, else why not. */
        private String checkPath(String dir, String token) {
            if (NOT_A_PATH.matcher(token).find() || token.startsWith("/")) {
                return null;
            }
            String first = token.substring(0, token.indexOf('/'));
            String resolved;
            if (first.equals(".") || first.equals("..")) {
                resolved = normalize(join(dir, token));
            } else if (first.isEmpty() || first.equals(".git")) {
                return null;
            } else if (repo.exists(first) && !repo.ignored(first)) {
                resolved = normalize(token);
            } else if (!dir.isEmpty() && repo.exists(join(dir, first)) && !repo.ignored(join(dir, first))) {
                resolved = normalize(join(dir, token));
            } else {
                return null; // prose such as word/TAG, or a path of another machine
            }
            if (resolved == null || repo.ignored(resolved)) {
                return null;
            }
            return repo.exists(resolved) ? null : "no such file or folder: " + resolved;
        }

        /** GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-'. */
        static Set<String> anchors(String markdown) {
            Set<String> out = new HashSet<>();
            Matcher m = HEADING.matcher(markdown.replaceAll("(?s)```.*?```", ""));
            while (m.find()) {
                out.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _\\-]", "").replace(' ', '-'));
            }
            return out;
        }

        private static String trimEnd(String token) {
            String t = token;
            while (!t.isEmpty() && ".,;:".indexOf(t.charAt(t.length() - 1)) >= 0) {
                t = t.substring(0, t.length() - 1);
            }
            return t;
        }

        private static String join(String dir, String path) {
            return dir.isEmpty() ? path : dir + "/" + path;
        }

        /** '.' and '..' resolved, trailing '/' dropped; null when the path leaves the root. */
        static String normalize(String path) {
            List<String> parts = new ArrayList<>();
            for (String s : path.split("/")) {
                if (s.isEmpty() || s.equals(".")) {
                    continue;
                }
                if (s.equals("..")) {
                    if (parts.isEmpty()) {
                        return null;
                    }
                    parts.remove(parts.size() - 1);
                } else {
                    parts.add(s);
                }
            }
            return String.join("/", parts);
        }

        private static int line(String text, int offset) {
            int n = 1;
            for (int i = 0; i < offset; i++) {
                if (text.charAt(i) == '\n') {
                    n++;
                }
            }
            return n;
        }

        /**
         * The comments of a Java source, everything else blanked out (newlines kept, so line numbers hold):
         * string and character literals and text blocks are code, not comments.
         */
        static String javaComments(String src) {
            StringBuilder out = new StringBuilder(src.length());
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (src.startsWith("//", i)) {
                    int end = src.indexOf('\n', i);
                    end = end < 0 ? n : end;
                    out.append(src, i, end);
                    i = end;
                } else if (src.startsWith("/*", i)) {
                    int end = src.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    out.append(src, i, end);
                    i = end;
                } else if (src.startsWith("\"\"\"", i)) {
                    int end = src.indexOf("\"\"\"", i + 3);
                    end = end < 0 ? n : end + 3;
                    blank(out, src, i, end);
                    i = end;
                } else if (c == '"' || c == '\'') {
                    int j = i + 1;
                    while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') {
                        j += src.charAt(j) == '\\' ? 2 : 1;
                    }
                    int end = Math.min(n, j + 1);
                    blank(out, src, i, end);
                    i = end;
                } else {
                    out.append(c == '\n' ? '\n' : ' ');
                    i++;
                }
            }
            return out.toString();
        }

        private static void blank(StringBuilder out, String src, int from, int to) {
            for (int k = from; k < to; k++) {
                out.append(src.charAt(k) == '\n' ? '\n' : ' ');
            }
        }
    }

    /** The repository on disk, with .gitignore's patterns for what is made at run time. */
    static final class DiskRepo implements Repo {
        private final Path root;
        private final List<String> ignore = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        DiskRepo(Path root) throws IOException {
            this.root = root;
            Path gi = root.resolve(".gitignore");
            if (Files.exists(gi)) {
                for (String l : Files.readAllLines(gi, StandardCharsets.UTF_8)) {
                    String p = l.strip();
                    if (!p.isEmpty() && !p.startsWith("#") && !p.startsWith("!")) {
                        ignore.add(p.replaceAll("^/|/$", ""));
                    }
                }
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    String rel = rel(d);
                    return d.getFileName() != null && d.getFileName().toString().equals(".git") || ignored(rel)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    names.add(f.getFileName().toString());
                    return FileVisitResult.CONTINUE;
                }
            });
        }

        String rel(Path p) {
            return root.relativize(p).toString().replace('\\', '/');
        }

        @Override
        public boolean exists(String path) {
            return Files.exists(root.resolve(path));
        }

        @Override
        public boolean ignored(String path) {
            if (path.isEmpty()) {
                return false;
            }
            String[] segments = path.split("/");
            for (String p : ignore) {
                if (p.contains("/")) {
                    if (path.equals(p) || path.startsWith(p + "/")) {
                        return true;
                    }
                } else {
                    Pattern glob = Pattern.compile(p.replace(".", "\\.").replace("*", ".*").replace("?", "."));
                    for (String s : segments) {
                        if (glob.matcher(s).matches()) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        @Override
        public boolean hasFileNamed(String name) {
            return names.contains(name);
        }

        @Override
        public String read(String path) {
            try {
                Path p = root.resolve(path);
                return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
    }

    /** A repository held in memory: file path to text; folders are the prefixes of the paths. */
    record MemoryRepo(Map<String, String> files) implements Repo {
        @Override
        public boolean exists(String path) {
            return files.containsKey(path) || files.keySet().stream().anyMatch(f -> f.startsWith(path + "/"));
        }

        @Override
        public boolean ignored(String path) {
            return path.equals("out") || path.startsWith("out/") || path.contains("target");
        }

        @Override
        public boolean hasFileNamed(String name) {
            return files.keySet().stream().anyMatch(f -> f.equals(name) || f.endsWith("/" + name));
        }

        @Override
        public String read(String path) {
            return files.get(path);
        }
    }

    @Test
    void everyFileTheDocsConfigsAndCommentsNameExists() throws IOException {
        Path root = ConfigReferenceDocTest.root();
        DiskRepo repo = new DiskRepo(root);
        Scanner scanner = new Scanner(repo);
        List<Dangling> dangling = new ArrayList<>();
        int scanned = 0;
        for (Path f : sources(root)) {
            String rel = repo.rel(f);
            Kind kind = rel.endsWith(".md") ? Kind.MARKDOWN : rel.endsWith(".java") ? Kind.JAVA : Kind.CONF;
            dangling.addAll(scanner.scan(rel, Files.readString(f, StandardCharsets.UTF_8), kind));
            scanned++;
        }
        assertTrue(scanned > 100, "scanned only " + scanned + " files under " + root);
        assertTrue(dangling.isEmpty(), dangling.size() + " pointers lead nowhere:\n"
                + String.join("\n", dangling.stream().map(Dangling::toString).toList()));
    }

    /** README.md, CHANGELOG.md, docs/*.md, data/README.md, conf/**.conf and the modules' src/**.java. */
    private static List<Path> sources(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String f : List.of("README.md", "CHANGELOG.md", "data/README.md")) {
            if (Files.isRegularFile(root.resolve(f))) {
                out.add(root.resolve(f));
            }
        }
        out.addAll(walk(root.resolve("docs"), ".md"));
        out.addAll(walk(root.resolve("conf"), ".conf"));
        try (Stream<Path> top = Files.list(root)) {
            for (Path module : top.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).sorted().toList()) {
                out.addAll(walk(module.resolve("src"), ".java"));
            }
        }
        return out;
    }

    private static List<Path> walk(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void reportsADanglingPointerAndPassesTheRest() {
        Repo repo = new MemoryRepo(Map.of(
                "README.md", "",
                "docs/config.md", "# Config\n\n## Keys\n",
                "conf/char-lm.conf", "",
                "bin/spark-rnn", "",
                "data/samples/brown/cp01", ""));
        String text = """
                Run `bin/spark-rnn train conf/char-lm.conf`, then see [the keys](config.md#keys) and
                conf/char-lm.conf. Data: data/samples/brown/cp01 and data/samples/brown/c[a-r][0-9][0-9].
                Output: out/char-lm/report.html, jobs/target/x.jar, /tmp/x/y, hdfs://nn:8020/data/x.txt,
                https://github.com/x/y.md, word/TAG lines, worker-lib/.../cell/LstmCell.java. See README.md.
                Broken: conf/gone.conf, [old](old.md), [bad anchor](config.md#nowhere) and DESIGN.md.
                """;
        List<Dangling> found = new Scanner(repo).scan("docs/cluster.md", text, Kind.MARKDOWN);
        assertEquals(Set.of("conf/gone.conf", "old.md", "config.md#nowhere", "DESIGN.md"),
                found.stream().map(Dangling::pointer).collect(java.util.stream.Collectors.toSet()), "found: " + found);
        assertEquals(4, found.size(), "each once: " + found);
        assertTrue(found.stream().allMatch(d -> d.line() == 5), "all on line 5: " + found);
    }

    @Test
    void readsOnlyTheCommentsOfJava() {
        Repo repo = new MemoryRepo(Map.of("docs/formats.md", "# Formats\n"));
        String src = """
                /** Layout: docs/formats.md and docs/gone.md. */
                class X {
                    String p = "docs/also-gone.md"; // see DESIGN.md section 5
                    char q = '"';
                    String r = \"""
                        conf/not-a-comment.conf
                        \""";
                }
                """;
        List<Dangling> found = new Scanner(repo).scan("driver/src/main/java/X.java", src, Kind.JAVA);
        assertEquals(List.of("docs/gone.md:1", "DESIGN.md:3"),
                found.stream().map(d -> d.pointer() + ":" + d.line()).toList());
    }
}
