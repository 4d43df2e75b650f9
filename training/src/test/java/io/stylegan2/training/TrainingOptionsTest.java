package io.stylegan2.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** NVlabs' defaults and the lazy-regularisation corrections. */
class TrainingOptionsTest {

    @Test
    void defaultsAreNvlabs() {
        TrainingOptions o = TrainingOptions.defaults();
        assertEquals(32, o.batch());
        assertEquals(0.002, o.gLr());
        assertEquals(10, o.r1Gamma());
        assertEquals(16, o.dRegInterval());
        assertEquals(2, o.plWeight());
        assertEquals(4, o.gRegInterval());
        assertEquals(0.9, o.styleMixingProb());
        assertEquals(781_250, o.iterations(), "25 000 kimg in batches of 32");
    }

    @Test
    void lazyCorrectionAndItsAbsence() {
        assertEquals(16.0 / 17, TrainingOptions.lazyRatio(16));
        assertEquals(0.8, TrainingOptions.lazyRatio(4));
        assertEquals(1.0, TrainingOptions.lazyRatio(0), "interval 0: G is not lazily regularised, no correction (rosinality's loop)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainingOptions(16, 0.002, 0.002, 0, 0.99, 1e-8, 0.1, 16, 2, 0,
                0.01, 2, 0.9, 10, 0, true, null, 0.995, 10, 4, 0, 0, 0));
        assertTrue(e.getMessage().contains("g-reg-interval"), e.getMessage());
        assertEquals(0, new TrainingOptions(16, 0.002, 0.002, 0, 0.99, 1e-8, 0.1, 16, 0, 0, 0.01, 2, 0.9, 10, 0, true, null, 0.995, 10, 4, 0, 0, 0).gRegInterval());
    }
}
