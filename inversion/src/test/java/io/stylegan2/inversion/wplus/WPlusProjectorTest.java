package io.stylegan2.inversion.wplus;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionOutcome;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.Target;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WPlusProjectorTest {

    @Test
    void invertsAnImageTheGeneratorMade() throws Exception {
        Generator g = FixtureModel.generator();
        Target target = FixtureModel.target("seed7", 7, 0.7);
        INDArray avgImage = g.synthesis(g.wAvg().reshape(1, -1), NoiseMode.CONST, 0);
        double baseline = Mse.image(target.image(), io.stylegan2.inversion.ReconstructionMetrics.clamp(avgImage));
        double baselineRaw = Mse.image(target.image(), avgImage);

        List<Long> seen = new ArrayList<>();
        Progress p = new Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) { seen.add(done); }
            @Override public void end() {}
        };
        int steps = 12;
        WPlusProjector proj = new WPlusProjector(g, WPlusConfig.defaults().withSteps(steps).withLearningRate(0.1));
        InversionResult r = proj.invert(List.of(target), p, null).get(0).resultOrThrow();

        assertThat(r.space()).isEqualTo(LatentSpace.W_PLUS);
        assertThat(r.ws().shape()).containsExactly(1, g.config().numWs(), g.config().wDim());
        assertThat(r.history()).hasSize(steps);
        assertThat(seen).hasSize(steps);
        double first = r.history().get(0).get("mse"), last = r.finalLoss("mse");
        System.out.printf("W+ %d steps: baseline (w_avg) MSE %.5f, step0 %.5f, final %.5f, metrics %s, %.1f ms/step%n",
                steps, baseline, first, last, r.metrics(), r.timing().msPerStep());
        assertThat(first).isCloseTo(baselineRaw, org.assertj.core.data.Percentage.withPercentage(5)); // step 0 is the w_avg image (before clamping)
        assertThat(r.metrics().mseSigned()).isLessThan(baseline / 2);
        // the loss curve decreases: each third's mean below the previous third's
        double prev = Double.MAX_VALUE;
        for (int q = 0; q < 3; q++) {
            double m = r.history().subList(q * steps / 3, (q + 1) * steps / 3).stream().mapToDouble(h -> h.get("mse")).average().orElseThrow();
            assertThat(m).isLessThan(prev);
            prev = m;
        }
        // the reconstruction is the generator's image of ws
        INDArray again = g.synthesis(r.ws(), NoiseMode.CONST, 0);
        assertThat(again.sub(r.image()).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void aFailingImageDoesNotStopTheBatchAndCancellationStops() throws Exception {
        Generator g = FixtureModel.generator();
        WPlusProjector proj = new WPlusProjector(g, WPlusConfig.defaults().withSteps(2));
        Target good = FixtureModel.target("good", 1, 0.7);
        Target wrongSize = new Target("wrong", Nd4j.zeros(1, 3, 16, 16));
        List<InversionOutcome> out = proj.invert(List.of(wrongSize, good), Progress.NONE, null);
        assertThat(out).extracting(InversionOutcome::name).containsExactly("wrong", "good");
        assertThat(out.get(0).ok()).isFalse();
        assertThat(((InversionOutcome.Failure) out.get(0)).message()).contains("16x16");
        assertThat(out.get(1).ok()).isTrue();

        CancellationToken cancel = new CancellationToken();
        Progress cancelAfterOne = new Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) { cancel.cancel(); }
            @Override public void end() {}
        };
        List<InversionOutcome> c = proj.invert(List.of(good, good), cancelAfterOne, cancel);
        assertThat(c).allMatch(o -> o instanceof InversionOutcome.Failure f && f.cancelled());
    }

    /** Recycling the step graph's working arrays (StepMemory, on by default) changes nothing: same history, same latent, bit for bit. */
    @Test
    void stepMemoryRecyclingIsInvisible() throws Exception {
        Generator g = FixtureModel.generator();
        Target target = FixtureModel.target("seed7", 7, 0.7);
        InversionResult[] r = new InversionResult[2];
        for (int i = 0; i < 2; i++) {
            boolean recycle = i == 1;
            r[i] = io.stylegan2.core.engine.Engine.with(o -> o.withStepMemory(recycle), () -> {
                WPlusProjector proj = new WPlusProjector(g, WPlusConfig.defaults().withSteps(8).withLearningRate(0.1));
                return proj.invert(List.of(target), null, null).get(0).resultOrThrow();
            });
        }
        for (int i = 0; i < 8; i++) {
            Map<String, Double> a = new java.util.HashMap<>(r[0].history().get(i)), b = new java.util.HashMap<>(r[1].history().get(i));
            assertThat(b).as("history at step %d", i).isEqualTo(a);
        }
        assertThat(r[1].ws()).isEqualTo(r[0].ws());
    }
}
