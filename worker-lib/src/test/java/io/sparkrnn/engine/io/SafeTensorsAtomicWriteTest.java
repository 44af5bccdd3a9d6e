package io.sparkrnn.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrnn.engine.param.FlatParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Writes to a path are atomic: a failure leaves the existing file and no temporary one. */
class SafeTensorsAtomicWriteTest extends SafeTensorsTesting {
    @Test
    void failedTensorWriteLeavesTheExistingFileAndNoTempFile() throws IOException {
        Path p = dir.resolve("optimizer.safetensors");
        LinkedHashMap<String, INDArray> good = new LinkedHashMap<>();
        good.put("momentum", Nd4j.createFromArray(1f, 2f, 3f));
        SafeTensors.writeTensors(p, good, Map.of("round", "7"));
        byte[] before = Files.readAllBytes(p);

        LinkedHashMap<String, INDArray> bad = new LinkedHashMap<>();
        bad.put("momentum", Nd4j.createFromArray(4f, 5f, 6f));
        bad.put("velocity", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.writeTensors(p, bad, null));
        assertTrue(e.getMessage().contains("'velocity'"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("optimizer.safetensors"), dirListing());
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.writeTensors(dir.resolve("fresh.safetensors"), bad, null));
        assertEquals(List.of("optimizer.safetensors"), dirListing(), "no half-written file under a new name");
    }

    @Test
    void writeFailingMidStreamLeavesTheExistingFileAndNoTempFile() throws IOException {
        Path p = dir.resolve("weights.safetensors");
        FlatParams old = new FlatParams(LAYOUT, floatsFromBits(f32Bits((int) LAYOUT.size(), 6)));
        SafeTensors.writeParams(p, old, null);
        byte[] before = Files.readAllBytes(p);

        IOException e = assertThrows(IOException.class, () -> SafeTensors.writeAtomically(p, out -> {
            out.write(new byte[100_000]);
            throw new IOException("simulated: no space left on device");
        }));
        assertEquals("simulated: no space left on device", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("weights.safetensors"), dirListing());
    }

    @Test
    void successfulWriteReplacesTheFileAndLeavesNoTempFile() throws IOException {
        Path p = dir.resolve("weights.safetensors");
        SafeTensors.writeParams(p, new FlatParams(LAYOUT, floatsFromBits(f32Bits((int) LAYOUT.size(), 7))), null);
        int[] bits = f32Bits((int) LAYOUT.size(), 8);
        SafeTensors.writeParams(p, new FlatParams(LAYOUT, floatsFromBits(bits)), Map.of("round", "2"));

        assertEquals(List.of("weights.safetensors"), dirListing());
        assertArrayEquals(bits, rawF32(SafeTensors.readParams(p, LAYOUT, DataType.FLOAT).flat()));
        assertEquals(Map.of("round", "2"), SafeTensors.read(p).metadata());
        assertFalse(Files.exists(dir.resolve("weights.safetensors.tmp")));
    }
}
