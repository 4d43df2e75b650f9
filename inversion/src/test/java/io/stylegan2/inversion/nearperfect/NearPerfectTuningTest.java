package io.stylegan2.inversion.nearperfect;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParameterStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The tuning's terms against independent computations on the fixture networks (nv_s32_c64 G and D). */
class NearPerfectTuningTest {

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double meanSoftplusNeg(INDArray logits) {
        double s = 0;
        for (int i = 0; i < logits.length(); i++) s += softplus(-logits.getDouble(i));
        return s / logits.length();
    }

    static INDArray gaussians(long seed, int n, int dim) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] z = new double[n * dim];
        for (int i = 0; i < z.length; i++) z[i] = rnd.nextGaussian();
        return org.nd4j.linalg.factory.Nd4j.create(z, new long[]{n, dim}, DataType.DOUBLE).castTo(DataType.FLOAT);
    }

    @Test
    void stepZeroTermsEqualIndependentComputations() throws Exception {
        Generator g = FixtureModel.generator();
        Discriminator d = FixtureModel.discriminator();
        INDArray ws = FixtureModel.ws(5, 0.7);
        INDArray target = FixtureModel.target("t", 11, 0.7).image();
        NearPerfectConfig cfg = NearPerfectConfig.defaults().withMaxSteps(0).withDiscriminator(DiscriminatorMode.FROZEN).withGlobalSamples(2).withSeed(42);
        TuningResult r = new NearPerfectTuning(cfg).tune(g, d, ws, target);

        INDArray original = g.synthesis(ws, NoiseMode.CONST, 0);
        // same weights; the tuning graph may take the fused modulated-conv path (ModConvPathTest), so float32 rounding differs
        assertThat(Transforms.abs(r.image().sub(original)).maxNumber().doubleValue()).isLessThan(1e-5 * (1 + original.amaxNumber().doubleValue()));
        assertThat(r.steps()).isZero();
        assertThat(r.first(NearPerfectTuning.MSE)).isCloseTo(Mse.image(target, original), within(1e-6));
        assertThat(r.first(NearPerfectTuning.ADV_LOCAL)).isCloseTo(meanSoftplusNeg(d.logits(original)), within(1e-5));
        // the w_j of step 0: z ~ java.util.Random(seed) gaussians, mapped without truncation (GlobalCohesion#sample)
        INDArray wj = g.mapping(gaussians(42, 2, g.config().zDim()), 1.0);
        assertThat(r.first(NearPerfectTuning.GLOBAL)).isCloseTo(meanSoftplusNeg(d.logits(g.synthesis(wj, NoiseMode.CONST, 0))), within(1e-5));
    }

    @Test
    void alternatingDiscriminatorTrainsACopyThatTheGeneratorStepsRead() throws Exception {
        Generator g = FixtureModel.generator();
        Discriminator d = FixtureModel.discriminator();
        Map<String, INDArray> before = new LinkedHashMap<>();
        for (String n : d.params().names()) before.put(n, d.params().get(n).dup());
        INDArray target = FixtureModel.photo(1, 32);
        NearPerfectConfig cfg = NearPerfectConfig.defaults().withMaxSteps(3).withGlobalSamples(2).withWeights(1, 0.1, 0.1)
                .withDiscriminator(DiscriminatorMode.ALTERNATING, 1e-2, 1.0);
        TuningResult r = new NearPerfectTuning(cfg).tune(g, d, FixtureModel.ws(3, 0.7), target);

        // the checkpoint's discriminator is untouched
        for (String n : d.params().names()) assertThat(d.params().get(n)).as(n).isEqualTo(before.get(n));
        // its copy moved, and every step reported the D loss and R1
        Map<String, INDArray> tunedD = NearPerfectTuning.discriminator(r);
        assertThat(tunedD.keySet()).containsExactlyInAnyOrderElementsOf(before.keySet());
        double moved = 0;
        for (String n : before.keySet()) moved = Math.max(moved, Transforms.abs(tunedD.get(n).sub(before.get(n))).maxNumber().doubleValue());
        assertThat(moved).isGreaterThan(1e-3);
        assertThat(r.history()).hasSize(4);
        for (int i = 0; i < 3; i++) assertThat(r.history().get(i)).containsKey(NearPerfectTuning.D_LOSS);
        assertThat(r.history().get(0)).containsKey(NearPerfectTuning.R1);              // lazy R1: steps 0, 16, 32, ...
        assertThat(r.history().get(1)).doesNotContainKey(NearPerfectTuning.R1);
        // the last evaluation's local adversarial term is the tuned copy's logit of the final reconstruction
        Map<String, INDArray> canonical = new LinkedHashMap<>();
        tunedD.forEach((n, x) -> canonical.put(n, ParameterStore.canonicalLayout(n, x)));
        try (Discriminator tuned = Discriminator.create(d.config(), canonical)) {
            assertThat(r.last(NearPerfectTuning.ADV_LOCAL)).isCloseTo(meanSoftplusNeg(tuned.logits(r.image())), within(1e-5));
            assertThat(r.last(NearPerfectTuning.ADV_LOCAL)).isNotCloseTo(meanSoftplusNeg(d.logits(r.image())), within(1e-4));
        }
        assertThat(r.last(NearPerfectTuning.MSE)).isLessThan(r.first(NearPerfectTuning.MSE));
    }

    @Test
    void targetMseStopsBeforeTheFirstUpdate() throws Exception {
        Generator g = FixtureModel.generator();
        INDArray ws = FixtureModel.ws(5, 0.7);
        INDArray target = FixtureModel.photo(0, 32);
        double mse0 = Mse.image(target, g.synthesis(ws, NoiseMode.CONST, 0));
        NearPerfectConfig cfg = NearPerfectConfig.defaults().withMaxSteps(50).withWeights(1, 0, 0).withTargetMse(mse0 * 1.01);
        TuningResult r = new NearPerfectTuning(cfg).tune(g, null, ws, target);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.steps()).isZero();
        assertThat(r.history()).hasSize(1);
        assertThat(r.image()).isEqualTo(g.synthesis(ws, NoiseMode.CONST, 0));
    }

    @Test
    void clearErrors() throws Exception {
        Generator g = FixtureModel.generator();
        INDArray ws = FixtureModel.ws(5, 0.7);
        NearPerfectTuning t = new NearPerfectTuning(NearPerfectConfig.defaults().withMaxSteps(1));
        assertThatThrownBy(() -> t.tune(g, null, ws, FixtureModel.photo(0, 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("discriminator");
        assertThatThrownBy(() -> t.tune(g, FixtureModel.discriminator(), ws, FixtureModel.photo(0, 16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target").hasMessageContaining("[1, 3, 32, 32]");
        assertThatThrownBy(() -> MethodOptions.parse("near-perfect", Map.of("discriminator", "sometimes"), NearPerfectOptions.defaults()))
                .hasMessageContaining("discriminator=sometimes");
        assertThatThrownBy(() -> NearPerfectConfig.defaults().withWeights(0, 0, 0)).hasMessageContaining("at least one");
    }
}
