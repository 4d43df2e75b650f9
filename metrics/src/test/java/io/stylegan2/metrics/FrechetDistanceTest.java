package io.stylegan2.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** FrechetDistance over images with a cheap extractor: naming, batching, and the zero / positive cases. */
class FrechetDistanceTest {
    /** 6 features: per-channel mean and standard deviation. */
    static final FeatureExtractor STATS = new FeatureExtractor() {
        public String name() { return "channel-stats"; }
        public int featureDim() { return 6; }
        public INDArray features(INDArray images) {
            INDArray flat = images.reshape(images.size(0), 3, -1);
            return Nd4j.concat(1, flat.mean(2), flat.std(2));
        }
    };

    @Test
    void namesBatchesAndSeparatesDistributions() {
        Nd4j.getRandom().setSeed(11);
        INDArray a = Nd4j.rand(DataType.FLOAT, 40, 3, 8, 8).muli(2).subi(1);
        INDArray b = Nd4j.rand(DataType.FLOAT, 40, 3, 8, 8).muli(1.2).subi(0.4);
        FrechetDistance fd = new FrechetDistance(STATS, 7);
        assertEquals("FD-channel-stats", fd.metricName());
        FeatureStatistics sa = fd.statistics(a);
        assertEquals(40, sa.count());
        FeatureStatistics direct = FeatureStatistics.of("channel-stats", STATS.features(a));
        assertEquals(0, sa.cov().sub(direct.cov()).amaxNumber().doubleValue(), 1e-9);
        assertEquals(0.0, FrechetDistance.compute(sa, direct).value(), 1e-9);
        FrechetDistance.Result r = fd.compute(a, b);
        assertEquals("channel-stats", r.extractor());
        assertTrue(r.value() > 0.1, "" + r);
        Kid.Result kid = Kid.compute(STATS, a, b, 16, 1);
        assertEquals("KD-channel-stats", kid.metric());
        assertEquals(40, kid.subsetSize());
        assertEquals(Kid.DEFAULT_SUBSETS, kid.numSubsets());
        assertEquals(Kid.compute("channel-stats", STATS.features(a), STATS.features(b), 1).value(), kid.value(), 1e-12);
        assertEquals("FID", FrechetDistance.metricName(InceptionV3Features.FID_NAME));
        assertEquals("KID", Kid.metricName(InceptionV3Features.FID_NAME));
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(sa, FeatureStatistics.of("other", STATS.features(b))));
    }
}
