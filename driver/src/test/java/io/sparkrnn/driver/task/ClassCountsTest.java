package io.sparkrnn.driver.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassCountsTest {
    /** counts[truth][predicted] = m[truth][predicted]. */
    private static ClassCounts of(long[][] m) {
        ClassCounts c = new ClassCounts(m.length);
        for (int t = 0; t < m.length; t++) {
            for (int p = 0; p < m.length; p++) {
                for (long k = 0; k < m[t][p]; k++) {
                    c.add(t, p);
                }
            }
        }
        return c;
    }

    @Test
    void aLabelTheModelLacksIsAnErrorOutsideTheMatrix() {
        ClassCounts c = of(new long[][] {{5, 1}, {2, 2}});
        assertEquals(0.7, c.accuracy(), 1e-12);
        ClassCounts other = new ClassCounts(2);
        other.addUnknownTruth();
        other.addUnknownTruth();
        c.merge(other);
        // 7 right of 12 texts; precision and recall stay those of the matrix
        assertEquals(7.0 / 12, c.accuracy(), 1e-12);
        assertEquals(5.0 / 7, c.precision(0), 1e-12);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        c.toJson(n, "valid_", List.of("ham", "spam"), true);
        assertEquals(12, n.get("valid_count").asLong());
        assertEquals(2, n.get("valid_unknown_label_count").asLong());
        assertEquals(List.of("ham", "spam"), List.of(n.get("valid_confusion").get("labels").get(0).asText(),
                n.get("valid_confusion").get("labels").get(1).asText()));
        assertEquals(2, n.get("valid_confusion").get("matrix").size());
    }

    @Test
    void theMostConfusedPairsComeLargestFirst() {
        ClassCounts c = of(new long[][] {{9, 3, 0}, {7, 4, 3}, {1, 0, 5}});
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        c.toJson(n, "", List.of("NN", "VB", "JJ"), false);
        JsonNode pairs = n.get("confused_pairs");
        // off-diagonal counts 7 (VB as NN), then the tie 3 and 3 by truth id (NN as VB before VB as JJ), then 1
        assertEquals(4, pairs.size());
        assertEquals("{\"truth\":\"VB\",\"predicted\":\"NN\",\"count\":7}", pairs.get(0).toString());
        assertEquals("{\"truth\":\"NN\",\"predicted\":\"VB\",\"count\":3}", pairs.get(1).toString());
        assertEquals("{\"truth\":\"VB\",\"predicted\":\"JJ\",\"count\":3}", pairs.get(2).toString());
        assertEquals("{\"truth\":\"JJ\",\"predicted\":\"NN\",\"count\":1}", pairs.get(3).toString());
        assertEquals(List.of(1, 0), List.of(c.confusedPairs(1).get(0)[0], c.confusedPairs(1).get(0)[1]));
        assertEquals(false, n.has("unknown_label_count"));
        assertEquals(false, n.has("confusion"));
    }
}
