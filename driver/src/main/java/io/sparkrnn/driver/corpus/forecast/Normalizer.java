package io.sparkrnn.driver.corpus.forecast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrnn.driver.corpus.CorpusException;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-column standardisation {@code z = (x - mean) / std}, fitted on the training part of a series only and
 * saved with the model as JSON ({@code {"format":"spark-rnn-normalizer","version":1,"columns":[..],"mean":[..],
 * "std":[..]}}). A column with zero spread gets std 1, so it maps to 0.
 */
public record Normalizer(String[] columns, double[] mean, double[] std) implements Serializable {
    private static final String FORMAT = "spark-rnn-normalizer";

    public Normalizer {
        if (columns.length != mean.length || mean.length != std.length) {
            throw new IllegalArgumentException("expected as many means and stds as columns (" + columns.length
                    + "), found " + mean.length + " and " + std.length);
        }
    }

    public float apply(int column, double x) {
        return (float) ((x - mean[column]) / std[column]);
    }

    public double invert(int column, float z) {
        return z * std[column] + mean[column];
    }

    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", 1);
        var cols = n.putArray("columns");
        var mu = n.putArray("mean");
        var sd = n.putArray("std");
        for (int i = 0; i < columns.length; i++) {
            cols.add(columns[i]);
            mu.add(mean[i]);
            sd.add(std[i]);
        }
        return n.toString();
    }

    public static Normalizer fromJson(String json) {
        try {
            JsonNode n = new ObjectMapper().readTree(json);
            if (!FORMAT.equals(n.path("format").asText()) || n.path("version").asInt() != 1) {
                throw new CorpusException("expected a " + FORMAT + " version 1 file, found format '"
                        + n.path("format").asText() + "' version " + n.path("version").asText());
            }
            int k = n.path("columns").size();
            String[] c = new String[k];
            double[] mu = new double[k];
            double[] sd = new double[k];
            for (int i = 0; i < k; i++) {
                c[i] = n.path("columns").get(i).asText();
                mu[i] = n.path("mean").get(i).asDouble();
                sd[i] = n.path("std").get(i).asDouble();
            }
            return new Normalizer(c, mu, sd);
        } catch (IOException e) {
            throw new CorpusException("cannot parse normalizer JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Normalizer" + Arrays.toString(columns) + " mean=" + Arrays.toString(mean) + " std=" + Arrays.toString(std);
    }
}
