package io.sparkrnn.driver.corpus.classify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import io.sparkrnn.driver.corpus.text.Vocabulary;
import io.sparkrnn.driver.task.ClassCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.NaiveBayes;
import org.apache.spark.ml.classification.NaiveBayesModel;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The baselines a classifier is compared with, fitted on the training texts and scored on the texts the model is
 * scored on (those with at least one token, as {@link io.sparkrnn.driver.corpus.batching.Encoded#classification}
 * keeps them): {@code majority_*}, always the most frequent training label (ties: the first label name); and
 * {@code naive_bayes_*}, Spark MLlib's multinomial naive Bayes (add-one smoothing) on bag-of-words counts, the texts
 * cut into tokens by the task's {@link ClassificationSettings.Tokenizer} (its words: a model of byte-pair-encoding
 * pieces is compared with words), the counts' vocabulary ({@link CountVectorizer}, at most the task's vocabulary
 * size) fitted on the training texts. Accuracy and macro F1
 * as the model's ({@link ClassCounts}); a text whose label is not a training label is an error.
 */
public final class ClassificationBaselines {
    private ClassificationBaselines() {
    }

    /** Both baselines' confusion matrices on one part. */
    public record Scores(ClassCounts majority, ClassCounts naiveBayes) {
        /** Adds {@code majority_accuracy}, {@code majority_macro_f1}, {@code naive_bayes_accuracy} and its F1. */
        public void toJson(ObjectNode n, String prefix) {
            n.put(prefix + "majority_accuracy", majority.accuracy());
            n.put(prefix + "majority_macro_f1", majority.macroF1());
            n.put(prefix + "naive_bayes_accuracy", naiveBayes.accuracy());
            n.put(prefix + "naive_bayes_macro_f1", naiveBayes.macroF1());
        }
    }

    /**
     * Fits both baselines on {@code train} and scores them on {@code test}; {@code labels} are the model's (the
     * training texts' labels), {@code maxVocabulary} the most distinct tokens the bag of words counts.
     */
    public static Scores score(JavaSparkContext sc, JavaRDD<LabelledText> train, JavaRDD<LabelledText> test,
            ClassificationSettings.Tokenizer tok, Vocabulary labels, int maxVocabulary) {
        int classes = labels.size();
        int majority = labels.id(majority(train.filter(d -> labels.id(d.label()) >= 0)));
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Dataset<Row> trainRows = rows(spark, train, tok, labels);
        CountVectorizerModel bag = new CountVectorizer().setInputCol("tokens").setOutputCol("features")
                .setVocabSize(maxVocabulary).fit(trainRows);
        NaiveBayesModel nb = new NaiveBayes().setModelType("multinomial").setSmoothing(1.0)
                .fit(bag.transform(trainRows.filter("label >= 0")));
        Dataset<Row> predicted = nb.transform(bag.transform(rows(spark, test, tok, labels)))
                .select("label", "prediction");
        ClassCounts[] both = predicted.javaRDD().mapPartitions(it -> {
            ClassCounts m = new ClassCounts(classes);
            ClassCounts b = new ClassCounts(classes);
            while (it.hasNext()) {
                Row r = it.next();
                int truth = (int) r.getDouble(0);
                if (truth < 0) {
                    m.addUnknownTruth();
                    b.addUnknownTruth();
                } else {
                    m.add(truth, majority);
                    b.add(truth, (int) r.getDouble(1));
                }
            }
            return Collections.singletonList(new ClassCounts[] {m, b}).iterator();
        }).fold(new ClassCounts[] {new ClassCounts(classes), new ClassCounts(classes)}, (x, y) -> new ClassCounts[] {
            x[0].merge(y[0]), x[1].merge(y[1])});
        return new Scores(both[0], both[1]);
    }

    /** The most frequent label of {@code texts}; ties go to the first name. */
    static String majority(JavaRDD<LabelledText> texts) {
        Map<String, Long> counts = texts.map(LabelledText::label).countByValue();
        if (counts.isEmpty()) {
            throw new CorpusException("no training text with one of the model's labels to fit the baselines on");
        }
        List<Map.Entry<String, Long>> order = new ArrayList<>(counts.entrySet());
        order.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        return order.get(0).getKey();
    }

    /** (label id, or -1 for a label the model lacks; tokens) of the texts with at least one token. */
    private static Dataset<Row> rows(SparkSession spark, JavaRDD<LabelledText> texts,
            ClassificationSettings.Tokenizer tok, Vocabulary labels) {
        StructType schema = new StructType().add("label", DataTypes.DoubleType, false)
                .add("tokens", DataTypes.createArrayType(DataTypes.StringType, false), false);
        JavaRDD<Row> rows = texts.map(d -> RowFactory.create((double) labels.id(d.label()), tok.words(d.text())))
                .filter(r -> ((String[]) r.get(1)).length > 0);
        return spark.createDataFrame(rows, schema);
    }
}
