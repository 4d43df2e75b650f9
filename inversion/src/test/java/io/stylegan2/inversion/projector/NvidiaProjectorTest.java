package io.stylegan2.inversion.projector;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NvidiaProjectorTest {

    @Test
    void scheduleMatchesTheOfficialFormulas() {
        NvidiaConfig c = NvidiaConfig.defaults();
        assertThat(c.steps()).isEqualTo(1000);
        assertThat(c.learningRate(0)).isEqualTo(0.0);
        assertThat(c.learningRate(25)).isCloseTo(0.05, within(1e-12));          // half-way up the 5% ramp
        assertThat(c.learningRate(500)).isCloseTo(0.1, within(1e-12));          // plateau
        assertThat(c.learningRate(875)).isCloseTo(0.05, within(1e-12));         // half-way down the cosine
        assertThat(c.learningRate(999)).isCloseTo(0.1 * (0.5 - 0.5 * Math.cos(Math.PI * 0.001 / 0.25)), within(1e-15));
        assertThat(c.latentNoiseFactor(0)).isEqualTo(0.05);
        assertThat(c.latentNoiseFactor(375)).isCloseTo(0.05 * 0.25, within(1e-15));
        assertThat(c.latentNoiseFactor(750)).isEqualTo(0.0);
        assertThat(c.latentNoiseFactor(900)).isEqualTo(0.0);
    }

    @Test
    void projectsAnImageOfTheGeneratorIntoW() throws Exception {
        Generator g = FixtureModel.generator();
        Target target = FixtureModel.target("seed3", 3, 0.7);
        int steps = 10;
        NvidiaProjector proj = new NvidiaProjector(g, NvidiaConfig.defaults().withSteps(steps).withWAvgSamples(1000));
        WStatistics st = proj.statistics();
        assertThat(st.wStd()).isPositive();
        INDArray avgImage = g.synthesis(st.wAvg().reshape(1, -1), NoiseMode.CONST, 0);
        double baseline = Mse.image(target.image(), ReconstructionMetrics.clamp(avgImage));

        InversionResult r = proj.invert(target);
        System.out.printf("W (NVIDIA) %d steps: w_avg-image MSE %.5f, step0 %.5f, final %.5f, %s, %.1f ms/step, notes %s%n",
                steps, baseline, r.history().get(0).get("mse"), r.metrics().mseSigned(), r.metrics(), r.timing().msPerStep(), r.notes());
        assertThat(r.space()).isEqualTo(LatentSpace.W);
        assertThat(r.history()).hasSize(steps);
        assertThat(r.history().get(0)).containsKeys("mse", "noise_reg", "total", "lr", "latent_noise");
        assertThat(r.history().get(0).get("lr")).isEqualTo(0.0);
        assertThat(r.notes()).anyMatch(n -> n.contains("MSE used instead of LPIPS"));
        // step 0 is w_avg with the random initial noise maps (lr 0): the loss must fall well below it
        assertThat(r.finalLoss("mse")).isLessThan(r.history().get(0).get("mse") * 0.85);
        assertThat(r.metrics().mseSigned()).isLessThan(baseline);
        // one w in every row
        INDArray row0 = r.ws().get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.all());
        for (int i = 1; i < g.config().numWs(); i++)
            assertThat(r.ws().get(NDArrayIndex.point(0), NDArrayIndex.point(i), NDArrayIndex.all()).equals(row0)).isTrue();
        // noise maps: optimised, re-standardised, and they reproduce the reconstruction through the plain generator
        Map<String, INDArray> noise = new LinkedHashMap<>();
        assertThat(r.reconstruction().extras()).isEmpty();
        assertThat(r.reconstruction().hooks().noiseMode()).isEqualTo(NoiseMode.CONST);
        r.reconstruction().hooks().noise().forEach((k, v) -> {
            assertThat(v.meanNumber().doubleValue()).isCloseTo(0, within(1e-5));
            assertThat(v.mul(v).meanNumber().doubleValue()).isCloseTo(1, within(1e-4));
            noise.put(k, v);
        });
        assertThat(noise).hasSize(g.synthesisNetwork().convLayers().size());
        INDArray again = g.synthesis(r.ws(), NoiseMode.RANDOM, noise);
        assertThat(again.sub(r.image()).amaxNumber().doubleValue()).isLessThan(1e-5);
    }
}
