package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class NativeBytesTest {

    /** The big-endian path reverses each element and leaves a trailing partial element alone. */
    @Test
    void swapReversesTheBytesOfEachElement() {
        byte[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        NativeBytes.swap(b, 8, 4);
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5, 9}, b);
        NativeBytes.swap(b, 8, 8);
        assertArrayEquals(new byte[] {5, 6, 7, 8, 1, 2, 3, 4, 9}, b);
        NativeBytes.swap(b, 9, 1);
        assertArrayEquals(new byte[] {5, 6, 7, 8, 1, 2, 3, 4, 9}, b);
    }
}
