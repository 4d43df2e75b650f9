package io.stylegan2.inversion.pti;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PTI: its claim (tuning beats the pivot, the base stays untouched) on the trained Fashion-MNIST model
 * and a real test garment; plumbing on the fixture generator (nv_s32_c64, 32 px) and a real photo.
 */
class PivotalTuningTest {
    static Generator g;
    static Lpips alex;
    static PerceptualLoss lpips;
    static INDArray target;

    @BeforeAll
    static void setUp() throws Exception {
        g = PtiFixtures.generator();
        alex = PtiFixtures.lpipsAlex();
        lpips = alex;
        target = PtiFixtures.photo(0, 32);
    }

    @AfterAll
    static void tearDown() {
        g.close();
        alex.close();
    }

    @Test
    void defaultsArePtis() {
        PtiConfig c = PtiConfig.defaults();
        assertThat(c.learningRate()).isEqualTo(3e-4);
        assertThat(c.maxSteps()).isEqualTo(350);
        assertThat(c.perceptualThreshold()).isEqualTo(0.06);
        assertThat(c.l2Weight()).isEqualTo(1.0);
        assertThat(c.perceptualWeight()).isEqualTo(1.0);
        assertThat(c.localityOn()).isFalse();
        assertThat(c.noiseMode()).isEqualTo(NoiseMode.CONST);
        assertThat(c.withLocality(Locality.Config.pti()).locality()).isEqualTo(Locality.Config.pti());
        assertThatThrownBy(() -> c.withNoiseMode(NoiseMode.RANDOM)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroOffsetsReproduceTheBaseExactly() {
        Map<String, INDArray> zeros = new LinkedHashMap<>();
        for (String n : g.params().names()) if (PivotalTuning.TUNED.test(n)) zeros.put(n, PtiFixtures.zerosLike(g.params().get(n)));
        Nd4j.getRandom().setSeed(3);
        INDArray ws = g.mapping(Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, g.config().zDim()), 0.7);
        try (PatchedGenerator t = new PatchedGenerator(g, zeros)) {
            for (NoiseMode m : NoiseMode.values()) {
                INDArray a = g.synthesis(ws, m, 5), b = t.synthesis(ws, m, 5);
                assertThat(b.sub(a).amaxNumber().doubleValue()).as("noise %s", m).isEqualTo(0.0);
            }
            ManifoldDrift.Result d = ManifoldDrift.measure(g, zeros, 4, 1, 4);
            assertThat(d.mse()).isEqualTo(0.0);
        }
        // PTI with no step: zero offsets, the reconstruction is the base image of the pivot
        TuningResult r = new PivotalTuning(PtiConfig.defaults().withMaxSteps(0), lpips).tune(g, ws.slice(0).reshape(1, g.config().numWs(), g.config().wDim()), target);
        assertThat(r.steps()).isZero();
        assertThat(r.history()).hasSize(1);
        assertThat(r.weightOffsets()).isNotEmpty().allSatisfy((k, v) -> assertThat(v.amaxNumber().doubleValue()).as(k).isEqualTo(0.0));
        assertThat(r.weightOffsets().keySet()).allMatch(PivotalTuning.TUNED).noneMatch(k -> k.endsWith("noise_const"));
        INDArray base = g.synthesis(ws.slice(0).reshape(1, g.config().numWs(), g.config().wDim()), NoiseMode.CONST, 0);
        // the tuning graph has a static batch of 1, so its modulated convs may take the fused path
        // (ModulatedConv2d.preferFused): same arithmetic as g.synthesis, different float rounding
        assertThat(r.image().sub(base).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void tuningARealGarmentBeatsThePivot() throws Exception {
        // a trained network (the shipped Fashion-MNIST model) and a real garment it never saw
        Generator g = io.stylegan2.inversion.FixtureModel.trainedGenerator();
        INDArray target = io.stylegan2.inversion.FixtureModel.garment(1);
        long t0 = System.nanoTime();
        INDArray pivot = PtiFixtures.wPlusPivot(g, target, lpips, 30, 0.01);
        System.out.printf("pivot: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        double pivotMse = PtiFixtures.mse(g.synthesis(pivot, NoiseMode.CONST, 0), target);
        List<Long> seen = new ArrayList<>();
        Progress progress = new Progress() {
            public void start(String task, long total) {}
            public void update(long done, Map<String, Double> values) { seen.add(done); }
            public void end() {}
        };
        int steps = 20;
        t0 = System.nanoTime();
        TuningResult r = new PivotalTuning(PtiConfig.defaults().withMaxSteps(steps).withLearningRate(1e-3).withPerceptualThreshold(0), lpips).tune(g, pivot, target, progress, null);
        double mse = PtiFixtures.mse(r.image(), target);
        System.out.printf("pti: %d ms (build %.0f ms)%n", (System.nanoTime() - t0) / 1_000_000, 1000 * r.setupSeconds());
        t0 = System.nanoTime();
        System.out.printf("PTI %d steps: pivot MSE %.5f -> %.5f; loss %s -> %s; %.1f ms/step%n", r.steps(), pivotMse, mse,
                r.history().get(0), r.history().get(r.history().size() - 1), r.msPerStep());
        assertThat(r.steps()).isEqualTo(steps);
        assertThat(r.stoppedEarly()).isFalse();
        assertThat(r.history()).hasSize(steps + 1);
        assertThat(seen).hasSize(steps + 1);
        assertThat(r.first(PivotalTuning.L2)).isCloseTo(pivotMse, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(r.last("total")).isLessThan(0.7 * r.first("total"));
        assertThat(r.last(PivotalTuning.PERCEPTUAL)).isLessThan(r.first(PivotalTuning.PERCEPTUAL));
        assertThat(mse).isLessThan(0.5 * pivotMse);
        assertThat(r.last(PivotalTuning.L2)).isCloseTo(mse, org.assertj.core.data.Offset.offset(1e-5));

        try (PatchedGenerator t = new PatchedGenerator(g, r.weightOffsets())) {
            assertThat(t.synthesis(pivot, NoiseMode.CONST, 0).sub(r.image()).amaxNumber().doubleValue()).isLessThan(1e-5);
            ManifoldDrift.Result d = ManifoldDrift.measure(g, r.weightOffsets(), 8, 7, 4, alex);
            System.out.printf("manifold drift: mse %.5f, %s %.5f%n", d.mse(), d.perceptualName(), d.perceptual().getAsDouble());
            System.out.printf("drift: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(d.mse()).isPositive().isFinite();
            assertThat(d.perceptual().getAsDouble()).isPositive().isFinite();
        }
        // the base generator is untouched
        assertThat(PtiFixtures.mse(g.synthesis(pivot, NoiseMode.CONST, 0), target)).isEqualTo(pivotMse);
    }

    @Test
    void stopsEarlyAtThePerceptualThresholdAndCancels() {
        INDArray pivot = PtiFixtures.wAvgPlus(g);
        TuningResult r = new PivotalTuning(PtiConfig.defaults().withPerceptualThreshold(1e6), lpips).tune(g, pivot, target);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.steps()).isZero();
        CancellationToken cancel = new CancellationToken();
        Progress cancelAfterTwo = new Progress() {
            public void start(String task, long total) {}
            public void update(long done, Map<String, Double> values) { if (done >= 2) cancel.cancel(); }
            public void end() {}
        };
        assertThatThrownBy(() -> new PivotalTuning(PtiConfig.defaults().withMaxSteps(10).withPerceptualThreshold(0), lpips)
                .tune(g, pivot, target, cancelAfterTwo, cancel))
                .isInstanceOf(CancellationException.class).hasMessageContaining("after 2 steps");
    }

    @Test
    void localityRegulariserIsReportedAndZeroAtTheStart() {
        PerceptualLoss l1 = io.stylegan2.losses.Pixelwise.l1Distance();   // a cheap perceptual stand-in
        PtiConfig c = PtiConfig.defaults().withMaxSteps(2).withLocality(Locality.Config.pti()).withSeed(4);
        TuningResult r = new PivotalTuning(c, l1).tune(g, PtiFixtures.wAvgPlus(g), target);
        assertThat(r.history()).hasSize(3);
        assertThat(r.first(PivotalTuning.LOCALITY)).isEqualTo(0.0);
        assertThat(r.history().get(1).get(PivotalTuning.LOCALITY)).isPositive().isFinite();
        assertThatThrownBy(() -> new PivotalTuning(c, l1).tune(g, PtiFixtures.wAvgPlus(g), PtiFixtures.photo(0, 16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    }
}
