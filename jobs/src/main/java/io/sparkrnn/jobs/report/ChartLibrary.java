package io.sparkrnn.jobs.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The JavaScript the report inlines: Chart.js from its webjar on the classpath (version fixed by the build,
 * {@code report.properties}) and the report's own {@code report.js}. Nothing is fetched at view time.
 */
final class ChartLibrary {
    private ChartLibrary() {
    }

    /** Chart.js version the build packaged. */
    static String chartJsVersion() {
        Properties p = new Properties();
        try (InputStream in = resource("/io/sparkrnn/jobs/report/report.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report.properties from the classpath", e);
        }
        return p.getProperty("chartjs.version");
    }

    /** Chart.js's UMD bundle (defines the global {@code Chart}). */
    static String chartJs() {
        return text("/META-INF/resources/webjars/chart.js/" + chartJsVersion() + "/dist/chart.umd.js");
    }

    /** The script that draws the report's charts from its embedded data. */
    static String reportJs() {
        return text("/io/sparkrnn/jobs/report/report.js");
    }

    private static String text(String name) {
        try (InputStream in = resource(name)) {
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // Inlined into <script>: the HTML parser would end the element at the first "</script".
            if (s.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
                throw new IllegalStateException(name + " contains </script and cannot be inlined");
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the classpath", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ChartLibrary.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath (a broken build of spark-rnn-jobs?)");
        }
        return in;
    }
}
