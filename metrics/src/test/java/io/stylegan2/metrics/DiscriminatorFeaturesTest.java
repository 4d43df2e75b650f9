package io.stylegan2.metrics;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiscriminatorFeaturesTest {
    @Test
    void featuresArePerImageAndTheMetricIsNotCalledFid() {
        DiscriminatorConfig cfg = DiscriminatorConfig.nvlabs(16, 3, 128, 16);
        try (Discriminator d = Discriminator.create(cfg, Discriminator.randomParams(cfg, 3))) {
            DiscriminatorFeatures f = new DiscriminatorFeatures(d);
            Nd4j.getRandom().setSeed(1);
            INDArray a = Nd4j.rand(DataType.FLOAT, 5, 3, 16, 16).muli(2).subi(1);
            INDArray fa = f.features(a);
            assertThat(fa.shape()).containsExactly(5, f.featureDim());
            // a feature depends only on its own image
            INDArray single = f.features(a.get(NDArrayIndex.interval(2, 3)));
            assertThat(single.sub(fa.get(NDArrayIndex.interval(2, 3))).amaxNumber().doubleValue()).isEqualTo(0.0);
            INDArray b = Nd4j.rand(DataType.FLOAT, 5, 3, 16, 16).muli(2).subi(1).addi(0.5);
            FrechetDistance.Result same = FrechetDistance.compute(FeatureStatistics.of(f.name(), fa), FeatureStatistics.of(f.name(), fa));
            FrechetDistance.Result diff = FrechetDistance.compute(FeatureStatistics.of(f.name(), fa), FeatureStatistics.of(f.name(), f.features(b)));
            assertThat(same.value()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(diff.value()).isGreaterThan(same.value());
            assertThat(diff.metric()).isEqualTo("FD-discriminator");
            assertThatThrownBy(() -> f.features(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8))).hasMessageContaining("[1, 3, 8, 8]");
        }
    }
}
