package io.stylegan2.training.data;

import io.stylegan2.core.SampleOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The visiting order is a per-epoch permutation and a pure function of the seed; the loader delivers it from any start. */
class SampleOrderTest {

    @Test
    void everyEpochIsAPermutationAndEpochsDiffer() {
        SampleOrder o = new SampleOrder(50, 3, false);
        int[] e0 = new int[50], e1 = new int[50];
        for (int k = 0; k < 50; k++) {
            e0[k] = o.item(k);
            e1[k] = o.item(50 + k);
        }
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        sorted = e1.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(e0, e1));
        SampleOrder again = new SampleOrder(50, 3, false);
        for (int k = 99; k >= 0; k--) assertEquals(k < 50 ? e0[k] : e1[k - 50], again.item(k), "random access gives the same order");
        assertFalse(o.flipped(7), "no flips when off");
    }

    @Test
    void flipsAreSeededAndAboutHalf() {
        SampleOrder a = new SampleOrder(10, 1, true), b = new SampleOrder(10, 1, true), c = new SampleOrder(10, 2, true);
        int flips = 0, same = 0;
        for (int k = 0; k < 2000; k++) {
            assertEquals(a.flipped(k), b.flipped(k));
            if (a.flipped(k)) flips++;
            if (a.flipped(k) == c.flipped(k)) same++;
        }
        assertTrue(flips > 900 && flips < 1100, "flips " + flips);
        assertTrue(same < 1100, "another seed flips other samples: " + same);
    }

    @Test
    void backgroundBatchesMatchAndResumeAnywhere(@TempDir Path tmp) throws Exception {
        ImageDataset d = ImageDataset.load(TestImages.idx(tmp.resolve("t-images-idx3-ubyte"), new int[]{7, 28, 28}, TestImages.ramps(7)),
                8, 1, ImageDataset.Fit.RESIZE, 0);
        float[][] expected = new float[6][];
        try (BatchLoader l = new BatchLoader(d, 3, true, 5, 0)) {
            for (int i = 0; i < 6; i++) {
                expected[i] = l.take().data().asFloat();
                assertArrayEquals(l.values(i), expected[i], 0f, "iteration " + i);
            }
        }
        try (BatchLoader resumed = new BatchLoader(d, 3, true, 5, 4)) {
            assertArrayEquals(expected[4], resumed.take().data().asFloat(), 0f);
            assertArrayEquals(expected[5], resumed.take().data().asFloat(), 0f);
        }
    }
}
