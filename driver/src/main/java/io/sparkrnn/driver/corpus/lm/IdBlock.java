package io.sparkrnn.driver.corpus.lm;

import java.io.Serializable;

/**
 * A run of consecutive token ids of one text split, stored in the narrowest width the vocabulary allows (one
 * byte per id up to 256 ids, two up to 65,536, else four), with the counts of the lines it came from.
 *
 * @param split the split it came from
 * @param offset position of its first token within the split's tokens
 * @param goodLines lines decoded into it (counted once, in the block where the line ends)
 * @param dropped tokens left out because they are not in a vocabulary without an unknown token
 */
record IdBlock(int split, long offset, byte[] bytes, char[] chars, int[] ints, long goodLines, long dropped)
        implements Serializable {

    static IdBlock of(int split, long offset, int[] ids, int n, int vocabSize, long goodLines, long dropped) {
        if (vocabSize <= 256) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) ids[i];
            }
            return new IdBlock(split, offset, b, null, null, goodLines, dropped);
        }
        if (vocabSize <= 65536) {
            char[] c = new char[n];
            for (int i = 0; i < n; i++) {
                c[i] = (char) ids[i];
            }
            return new IdBlock(split, offset, null, c, null, goodLines, dropped);
        }
        return new IdBlock(split, offset, null, null, java.util.Arrays.copyOf(ids, n), goodLines, dropped);
    }

    int length() {
        return bytes != null ? bytes.length : chars != null ? chars.length : ints.length;
    }

    /** Copies ids {@code [from, to)} of this block into {@code dst} at {@code at}. */
    void copyTo(int from, int to, int[] dst, int at) {
        if (bytes != null) {
            for (int i = from; i < to; i++) {
                dst[at++] = bytes[i] & 0xFF;
            }
        } else if (chars != null) {
            for (int i = from; i < to; i++) {
                dst[at++] = chars[i];
            }
        } else {
            System.arraycopy(ints, from, dst, at, to - from);
        }
    }

    /** Ids {@code [from, to)} as a block of the same width (counts not carried). */
    IdBlock slice(int from, int to) {
        if (bytes != null) {
            return new IdBlock(split, offset + from, java.util.Arrays.copyOfRange(bytes, from, to), null, null, 0, 0);
        }
        if (chars != null) {
            return new IdBlock(split, offset + from, null, java.util.Arrays.copyOfRange(chars, from, to), null, 0, 0);
        }
        return new IdBlock(split, offset + from, null, null, java.util.Arrays.copyOfRange(ints, from, to), 0, 0);
    }
}
