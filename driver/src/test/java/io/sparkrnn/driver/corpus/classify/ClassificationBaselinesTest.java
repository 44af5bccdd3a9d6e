package io.sparkrnn.driver.corpus.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.SparkCorpusTest;
import io.sparkrnn.driver.corpus.text.TokenUnit;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

/** The majority-label and bag-of-words naive Bayes baselines on five training and six held-out texts. */
class ClassificationBaselinesTest extends SparkCorpusTest {
    private static LabelledText t(String label, String text) {
        return new LabelledText(label, text, "t.tsv");
    }

    @Test
    void majorityAndNaiveBayesScoredByHand() {
        JavaRDD<LabelledText> train = sc.parallelize(List.of(t("spam", "Win money now"), t("spam", "win prize"),
                t("spam", "cheap money"), t("ham", "meeting at noon"), t("ham", "lunch at noon")), 2);
        assertEquals("spam", ClassificationBaselines.majority(train));
        JavaRDD<LabelledText> valid = sc.parallelize(List.of(t("spam", "win cash"), t("ham", "noon meeting"),
                t("ham", "money lunch"), t("ham", "lunch at"), t("other", "win"), t("ham", "")), 2);
        Vocabulary labels = Vocabulary.of(List.of("spam", "ham"));
        ClassificationSettings.Tokenizer tok = new ClassificationSettings.Tokenizer(TokenUnit.WORDS, true, 100);

        // multinomial naive Bayes with add-one smoothing, as MLlib computes it: priors (3 + 1) / (5 + 2) and
        // (2 + 1) / (5 + 2); 9 training words; spam has 7 word tokens (win 2, money 2), ham 6 (at 2, noon 2)
        double spam = Math.log(4 / 7.0);
        double ham = Math.log(3 / 7.0);
        // "money lunch", a ham text: spam wins, p(money|spam) = 3/16, p(lunch|spam) = 1/16; ham 1/15 and 2/15
        assertTrue(spam + Math.log(3 / 16.0) + Math.log(1 / 16.0) > ham + Math.log(1 / 15.0) + Math.log(2 / 15.0));
        // "win cash": spam (cash is no training word); "noon meeting", "lunch at": ham

        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ClassificationBaselines.score(sc, train, valid, tok, labels, 1000).toJson(n, "valid_");
        // five texts with tokens (the empty one is dropped, as the model's evaluation drops it); "other" is no
        // training label, an error for both. Majority (spam): right on "win cash" alone
        assertEquals(1 / 5.0, n.get("valid_majority_accuracy").asDouble(), 1e-12);
        // spam F1 2 * (1/4) * 1 / (1/4 + 1) = 0.4, ham 0
        assertEquals(0.2, n.get("valid_majority_macro_f1").asDouble(), 1e-12);
        // naive Bayes: right on "win cash", "noon meeting" and "lunch at"
        assertEquals(3 / 5.0, n.get("valid_naive_bayes_accuracy").asDouble(), 1e-12);
        // spam P 1/2, R 1: F1 2/3; ham P 1, R 2/3: F1 0.8
        assertEquals((2 / 3.0 + 0.8) / 2, n.get("valid_naive_bayes_macro_f1").asDouble(), 1e-12);
    }
}
