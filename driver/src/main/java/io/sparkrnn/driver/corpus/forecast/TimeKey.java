package io.sparkrnn.driver.corpus.forecast;

import java.io.Serializable;

/**
 * A row's time, the values of the time columns: orders rows component-wise, numerically when both parts are
 * integers, else as text (so ISO dates work).
 */
record TimeKey(String[] parts) implements Comparable<TimeKey>, Serializable {
    @Override
    public int compareTo(TimeKey o) {
        for (int i = 0; i < parts.length; i++) {
            int c;
            try {
                c = Long.compare(Long.parseLong(parts[i]), Long.parseLong(o.parts[i]));
            } catch (NumberFormatException e) {
                c = parts[i].compareTo(o.parts[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** The key as text, integer parts without leading zeros, so that keys equal under compareTo are equal. */
    String canonical() {
        String[] c = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                c[i] = Long.toString(Long.parseLong(parts[i]));
            } catch (NumberFormatException e) {
                c[i] = parts[i];
            }
        }
        return String.join(" ", c);
    }
}
