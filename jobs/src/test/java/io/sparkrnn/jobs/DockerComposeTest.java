package io.sparkrnn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/compose.yaml and docker/Dockerfile against the build and the docs. CI has no Docker engine, so the files are
 * never run there; what can be checked without one is checked here: every service is there, the jar the image copies
 * is the one the shade plugin writes (read from jobs/pom.xml) and the base image is the build's Spark, every
 * published port is bound to 127.0.0.1, spark.authenticate is on with its secret taken from the environment for
 * every Spark service, the submit command's main class and config file exist, and docs/local-cluster.md walks
 * through the compose file and says it is not run in CI. Each check is also shown failing on a broken copy.
 */
class DockerComposeTest {
    static final Set<String> SERVICES = Set.of("namenode", "datanode", "hdfs-put", "spark-master", "spark-worker-1",
            "spark-worker-2", "submit");
    static final String DEFAULTS_TARGET = "/opt/spark/conf/spark-defaults.conf";
    static Path root;
    static Sources real;

    /** The texts the checks read, so that a test can break one in memory. */
    record Sources(String compose, String dockerfile, String rootPom, String jobsPom, String docs) {
        Sources compose(UnaryOperator<String> f) {
            return new Sources(f.apply(compose), dockerfile, rootPom, jobsPom, docs);
        }

        Sources dockerfile(UnaryOperator<String> f) {
            return new Sources(compose, f.apply(dockerfile), rootPom, jobsPom, docs);
        }

        Sources rootPom(UnaryOperator<String> f) {
            return new Sources(compose, dockerfile, f.apply(rootPom), jobsPom, docs);
        }

        Sources docs(UnaryOperator<String> f) {
            return new Sources(compose, dockerfile, rootPom, jobsPom, f.apply(docs));
        }
    }

    @BeforeAll
    static void read() throws Exception {
        Path p = Paths.get("").toAbsolutePath();
        while (!Files.exists(p.resolve("pom.xml")) || !Files.isDirectory(p.resolve("jobs"))) {
            p = p.getParent();
        }
        root = p;
        real = new Sources(Files.readString(p.resolve("docker/compose.yaml")),
                Files.readString(p.resolve("docker/Dockerfile")), Files.readString(p.resolve("pom.xml")),
                Files.readString(p.resolve("jobs/pom.xml")), Files.readString(p.resolve("docs/local-cluster.md")));
    }

    @Test
    void composeFileDockerfileBuildAndDocsAgree() {
        List<String> problems = problems(real);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals("jobs/target/spark-rnn-" + version(real.rootPom()) + ".jar", shadedJar(real));
    }

    @Test
    void aMissingServiceIsFound() {
        assertProblem(real.compose(c -> c.replace("\n  datanode:\n", "\n  data-node:\n")), "no service datanode");
    }

    @Test
    void aJarPathOtherThanTheShadePluginsIsFound() {
        assertProblem(real.dockerfile(d -> d.replace("spark-rnn-0.1.0-SNAPSHOT.jar", "spark-rnn.jar")),
                "copies no jobs/target/spark-rnn-" + version(real.rootPom()) + ".jar");
        // a new version in the pom, the Dockerfile left behind
        assertProblem(real.rootPom(p -> p.replaceFirst("<version>[^<]+</version>", "<version>0.2.0</version>")),
                "copies no jobs/target/spark-rnn-0.2.0.jar");
    }

    @Test
    void aBaseImageOfAnotherSparkIsFound() {
        assertProblem(real.dockerfile(d -> d.replace("apache/spark:3.5.7-scala2.12", "apache/spark:3.4.1-scala2.12")),
                "FROM apache/spark:3.5.7-scala2.12");
    }

    @Test
    void aPortPublishedBeyondLoopbackIsFound() {
        assertProblem(real.compose(c -> c.replace("\"127.0.0.1:8080:8080\"", "\"8080:8080\"")),
                "spark-master publishes 8080:8080");
        assertProblem(real.compose(c -> c.replace("\"127.0.0.1:9870:9870\"", "\"0.0.0.0:9870:9870\"")),
                "namenode publishes 0.0.0.0:9870:9870");
        assertProblem(real.compose(c -> c.replace("      - \"127.0.0.1:8081:8081\"",
                "      - target: 8081\n        published: \"8081\"")), "spark-worker-1 publishes {");
    }

    @Test
    void authenticationOffOrASecretInTheFileIsFound() {
        assertProblem(real.compose(c -> c.replace("spark.authenticate true", "spark.authenticate false")),
                "spark.authenticate true");
        assertProblem(real.compose(c -> c.replaceFirst(
                "spark\\.authenticate\\.secret \\$\\{SPARK_AUTH_SECRET:\\?[^}]*}", "spark.authenticate.secret s3cret")),
                "spark.authenticate.secret ${SPARK_AUTH_SECRET:?");
        assertProblem(real.compose(c -> c.replace("\"--conf\", \"spark.driver.host=submit\",",
                "\"--conf\", \"spark.driver.host=submit\", \"--conf\", \"spark.authenticate.secret=s3cret\",")),
                "a literal spark.authenticate.secret");
        assertProblem(real.compose(c -> c.replace("target: " + DEFAULTS_TARGET, "target: /tmp/spark-defaults.conf")),
                "does not mount");
    }

    @Test
    void aSubmitOfAMissingClassOrConfigIsFound() {
        assertProblem(real.compose(c -> c.replace("io.sparkrnn.jobs.Main", "io.sparkrnn.jobs.Launcher")),
                "main class io.sparkrnn.jobs.Launcher");
        assertProblem(real.compose(c -> c.replace("conf/brown-tagger.conf", "conf/tagger.conf")),
                "config file /opt/spark-rnn/conf/tagger.conf");
        assertProblem(real.compose(c -> c.replace("output.dir=hdfs://namenode:8020/", "output.dir=/tmp/")),
                "output.dir on hdfs://namenode:8020/");
        assertProblem(real.compose(c -> c.replace("\"/opt/spark-rnn/spark-rnn.jar\", \"train\"",
                "\"/opt/spark-rnn/other.jar\", \"train\"")), "submit runs /opt/spark-rnn/other.jar");
    }

    @Test
    void docsThatDoNotWalkThroughOrClaimCiAreFound() {
        assertProblem(real.docs(d -> d.replace("docker/compose.yaml", "the compose file")),
                "docs/local-cluster.md does not mention docker/compose.yaml");
        assertProblem(real.docs(d -> d.replaceAll("(?i)not run in CI", "run by hand")),
                "docs/local-cluster.md does not say");
    }

    private static void assertProblem(Sources broken, String expected) {
        List<String> problems = problems(broken);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                "expected a problem containing '" + expected + "', found " + problems);
    }

    // ---------------------------------------------------------------- the checks

    static List<String> problems(Sources s) {
        List<String> out = new ArrayList<>();
        Map<String, Object> compose = new Yaml().load(s.compose());
        Map<String, Object> services = map(compose.get("services"));
        for (String name : SERVICES) {
            if (!services.containsKey(name)) {
                out.add("compose.yaml has no service " + name);
            }
        }
        checkImage(s, out);
        Map<String, String> copies = copies(s.dockerfile());
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> service = map(e.getValue());
            for (Object port : list(service.get("ports"))) {
                if (!(port instanceof String str && str.startsWith("127.0.0.1:"))) {
                    out.add(e.getKey() + " publishes " + port
                            + "; publish on 127.0.0.1 only (127.0.0.1:HOST:CONTAINER)");
                }
            }
            if (service.containsKey("build") || String.join(" ", command(service)).contains("/opt/spark/bin/")) {
                boolean mounted = list(service.get("configs")).stream().map(DockerComposeTest::map).anyMatch(
                        c -> "spark-defaults".equals(c.get("source")) && DEFAULTS_TARGET.equals(c.get("target")));
                if (!mounted) {
                    out.add(e.getKey() + " does not mount config spark-defaults at " + DEFAULTS_TARGET
                            + " (spark.authenticate and its secret)");
                }
            }
        }
        checkAuthentication(s, compose, out);
        if (services.containsKey("submit")) {
            checkSubmit(command(map(services.get("submit"))), copies, shadedJar(s), out);
        }
        if (!s.docs().contains("docker/compose.yaml")) {
            out.add("docs/local-cluster.md does not mention docker/compose.yaml");
        }
        if (!Pattern.compile("(?i)not run in CI").matcher(s.docs()).find()) {
            out.add("docs/local-cluster.md does not say that the compose file is not run in CI");
        }
        return out;
    }

    /** The base image is the build's Spark and Scala; the jar copied is the shade plugin's output. */
    private static void checkImage(Sources s, List<String> out) {
        String from = "FROM apache/spark:" + property(s.rootPom(), "spark.version") + "-scala"
                + property(s.rootPom(), "scala.binary.version");
        if (!s.dockerfile().lines().anyMatch(l -> l.startsWith(from + "-"))) {
            out.add("Dockerfile: expected " + from + "-..., the Spark and Scala of the root pom");
        }
        String jar = shadedJar(s);
        if (!copies(s.dockerfile()).containsValue(jar)) {
            out.add("Dockerfile copies no " + jar + ", the shade plugin's output (jobs/pom.xml); it copies "
                    + copies(s.dockerfile()).values());
        }
    }

    /**
     * spark.authenticate true, and the secret only as the required interpolation of SPARK_AUTH_SECRET, never a
     * literal anywhere in the file.
     */
    private static void checkAuthentication(Sources s, Map<String, Object> compose, List<String> out) {
        String defaults = String.valueOf(map(map(compose.get("configs")).get("spark-defaults")).get("content"));
        List<String> lines = defaults.lines().map(String::trim).toList();
        if (!lines.contains("spark.authenticate true")) {
            out.add("config spark-defaults lacks the line 'spark.authenticate true'");
        }
        if (lines.stream().noneMatch(l -> l.startsWith("spark.authenticate.secret ${SPARK_AUTH_SECRET:?"))) {
            out.add("config spark-defaults lacks 'spark.authenticate.secret ${SPARK_AUTH_SECRET:?...}' (the secret "
                    + "from the environment, required)");
        }
        Matcher m = Pattern.compile("spark\\.authenticate\\.secret[ =:]+(\\S+)").matcher(s.compose() + s.dockerfile());
        while (m.find()) {
            if (!m.group(1).startsWith("${SPARK_AUTH_SECRET:?")) {
                out.add("a literal spark.authenticate.secret (" + m.group(0)
                        + "); take it from ${SPARK_AUTH_SECRET:?...}");
            }
        }
    }

    /** Client mode, the copied runnable jar, a main class of jobs, a config file the image holds, HDFS in and out. */
    private static void checkSubmit(List<String> cmd, Map<String, String> copies, String jar, List<String> out) {
        String joined = String.join(" ", cmd);
        String app = cmd.stream().filter(a -> a.endsWith(".jar")).findFirst().orElse("(no jar)");
        if (!jar.equals(copies.get(app))) {
            out.add("submit runs " + app + ", which is not where the Dockerfile copies " + jar);
        }
        if (!joined.contains("--deploy-mode client")) {
            out.add("submit: expected --deploy-mode client, found " + joined);
        }
        int cls = cmd.indexOf("--class");
        String main = cls >= 0 && cls + 1 < cmd.size() ? cmd.get(cls + 1) : "(none)";
        if (!Files.exists(root.resolve("jobs/src/main/java/" + main.replace('.', '/') + ".java"))) {
            out.add("submit: main class " + main + " is not in jobs/src/main/java");
        }
        int train = cmd.indexOf("train");
        String conf = train >= 0 && train + 1 < cmd.size() ? cmd.get(train + 1) : "(none)";
        String source = sourceOf(conf, copies);
        if (source == null || !Files.isRegularFile(root.resolve(source))) {
            out.add("submit: config file " + conf + " is not a file of the repository the Dockerfile copies (" + source
                    + ")");
        }
        if (!joined.contains("data.train=hdfs://namenode:8020/")) {
            out.add("submit: expected data.train on hdfs://namenode:8020/");
        }
        if (!joined.contains("output.dir=hdfs://namenode:8020/")) {
            out.add("submit: expected output.dir on hdfs://namenode:8020/");
        }
    }

    /** The repository path of a file in the image, by the COPY whose destination holds it. */
    private static String sourceOf(String imagePath, Map<String, String> copies) {
        for (Map.Entry<String, String> c : copies.entrySet()) {
            String dest = c.getKey();
            if (dest.endsWith("/") && imagePath.startsWith(dest)) {
                return c.getValue() + imagePath.substring(dest.length());
            }
            if (imagePath.equals(dest)) {
                return c.getValue();
            }
        }
        return null;
    }

    /** The Dockerfile's COPY instructions of repository files: destination -> source. */
    static Map<String, String> copies(String dockerfile) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : dockerfile.lines().toList()) {
            List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
            if (words.isEmpty() || !words.get(0).equals("COPY")) {
                continue;
            }
            words.removeIf(w -> w.startsWith("--"));
            if (words.size() == 3) {
                out.put(words.get(2), words.get(1));
            }
        }
        return out;
    }

    /** jobs/pom.xml's shade plugin outputFile, relative to the repository, with the pom's properties resolved. */
    static String shadedJar(Sources s) {
        Document jobs = xml(s.jobsPom());
        String output = null;
        NodeList plugins = jobs.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if ("maven-shade-plugin".equals(child(plugin, "artifactId"))) {
                NodeList files = plugin.getElementsByTagName("outputFile");
                output = files.getLength() > 0 ? files.item(0).getTextContent().trim() : null;
            }
        }
        if (output == null) {
            return "(jobs/pom.xml: no outputFile in the maven-shade-plugin)";
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("project.build.directory", "jobs/target");
        props.put("project.version", version(s.rootPom()));
        props.put("shaded.jar", property(s.jobsPom(), "shaded.jar"));
        for (int pass = 0; pass < 5 && output.contains("${"); pass++) {
            for (Map.Entry<String, String> p : props.entrySet()) {
                output = output.replace("${" + p.getKey() + "}", p.getValue());
            }
        }
        return output;
    }

    static String version(String pom) {
        return child(xml(pom).getDocumentElement(), "version");
    }

    private static String property(String pom, String name) {
        NodeList props = xml(pom).getElementsByTagName("properties");
        return props.getLength() == 0 ? null : child((Element) props.item(0), name);
    }

    private static String child(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                return c.getTextContent().trim();
            }
        }
        return null;
    }

    private static Document xml(String text) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new InputSource(new StringReader(text)));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a pom: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static List<String> command(Map<String, Object> service) {
        Object c = service.get("command");
        if (c instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return c == null ? List.of() : List.of(String.valueOf(c).split("\\s+"));
    }
}
