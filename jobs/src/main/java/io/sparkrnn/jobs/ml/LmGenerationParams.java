package io.sparkrnn.jobs.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.Params;

/**
 * The generation params of the language model, {@code bin/spark-rnn predict}'s options with its defaults:
 * {@code length} tokens after each prompt, {@code temperature}, {@code topK} and {@code sampleSeed}. Shared by
 * {@link RnnLanguageModel}, which carries them (set there or in a Pipeline) and copies them to the model it fits,
 * and {@link RnnLanguageModelModel}, which uses them; both save and load them with their other params.
 *
 * @param <S> the stage itself, for chained setters
 */
public interface LmGenerationParams<S extends LmGenerationParams<S>> extends Params {
    /** The stage's four params, made once by {@link Generation#of}. */
    Generation generation();

    default IntParam length() {
        return generation().length();
    }

    default int getLength() {
        return (Integer) getOrDefault(length());
    }

    default S setLength(int v) {
        return setGeneration(length(), v);
    }

    default DoubleParam temperature() {
        return generation().temperature();
    }

    default double getTemperature() {
        return (Double) getOrDefault(temperature());
    }

    default S setTemperature(double v) {
        return setGeneration(temperature(), v);
    }

    default IntParam topK() {
        return generation().topK();
    }

    default int getTopK() {
        return (Integer) getOrDefault(topK());
    }

    default S setTopK(int v) {
        return setGeneration(topK(), v);
    }

    default IntParam sampleSeed() {
        return generation().sampleSeed();
    }

    default int getSampleSeed() {
        return (Integer) getOrDefault(sampleSeed());
    }

    default S setSampleSeed(int v) {
        return setGeneration(sampleSeed(), v);
    }

    /**
     * Sets the four params' defaults to the predict command's ({@link Generation#defaults()}); each stage's
     * constructor calls it once {@link #generation()} is made.
     */
    default void setGenerationDefaults() {
        for (ParamPair<?> d : generation().defaults()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) d.param();
            setDefault(param, d.value());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> S setGeneration(Param<T> p, T v) {
        set(p, v);
        return (S) this;
    }

    /** The four params of one stage; {@link #defaults()} are the predict command's. */
    record Generation(IntParam length, DoubleParam temperature, IntParam topK, IntParam sampleSeed)
            implements Serializable {
        /** The params owned by {@code stage}. */
        static Generation of(Params stage) {
            return new Generation(
                    ConfigParams.bounded(stage, "length", "tokens generated after each prompt", 1, false, true),
                    ConfigParams.bounded(stage, "temperature", "the sampling temperature", 0, true, false),
                    ConfigParams.bounded(stage, "topK", "sample from the topK likeliest tokens, 0 = all", 0, false,
                            true),
                    ConfigParams.bounded(stage, "sampleSeed", "the sampling seed", 0, false, true));
        }

        /** The predict command's defaults: 300 tokens, temperature 0.8, all tokens, seed 1. */
        List<ParamPair<?>> defaults() {
            return List.of(length.w(300), temperature.w(0.8), topK.w(0), sampleSeed.w(1));
        }
    }
}
