package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * The longer runs behind inversion/PTI.md (off by default):
 * {@code OMP_NUM_THREADS=1 mvn -o -q -B -pl inversion -am test -Dtest=PtiLongRunTest -Dpti.longRun=true -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dpti.steps=300}, {@code -Dpti.photo=0}).
 */
@EnabledIfSystemProperty(named = "pti.longRun", matches = "true")
class PtiLongRunTest {

    @Test
    void longRun() throws Exception {
        int steps = Integer.getInteger("pti.steps", 300);
        int photo = Integer.getInteger("pti.photo", 0);
        try (Generator g = PtiFixtures.generator(); Lpips alex = PtiFixtures.lpipsAlex()) {
            Lpips ld = alex, lpips = alex;
            INDArray target = PtiFixtures.photo(photo, 32);
            long t0 = System.nanoTime();
            INDArray pivot = PtiFixtures.wPlusPivot(g, target, lpips, 30, 0.01);
            long pivotMs = (System.nanoTime() - t0) / 1_000_000;
            INDArray pivotImg = g.synthesis(pivot, NoiseMode.CONST, 0);
            double pivotMse = PtiFixtures.mse(pivotImg, target);
            double pivotLpips = ld.distance(pivotImg, target).getDouble(0);
            double avgMse = PtiFixtures.mse(g.synthesis(PtiFixtures.wAvgPlus(g), NoiseMode.CONST, 0), target);
            System.out.printf("photo %d: w_avg MSE %.5f; W+ pivot (30 Adam steps, %d ms) MSE %.5f LPIPS %.5f%n", photo, avgMse, pivotMs, pivotMse, pivotLpips);

            run("defaults, threshold 0.06", g, ld, lpips, pivot, target, PtiConfig.defaults().withMaxSteps(steps));
            run("defaults, no early stop", g, ld, lpips, pivot, target, PtiConfig.defaults().withMaxSteps(steps).withPerceptualThreshold(0));
            run("locality on (PTI settings), no early stop", g, ld, lpips, pivot, target,
                    PtiConfig.defaults().withMaxSteps(steps).withPerceptualThreshold(0).withLocality(Locality.Config.pti()));
        }
    }

    private static void run(String name, Generator g, Lpips ld, Lpips lpips,
                            INDArray pivot, INDArray target, PtiConfig c) {
        TuningResult r = new PivotalTuning(c, lpips).tune(g, pivot, target);
        StringBuilder curve = new StringBuilder();
        for (int i = 0; i < r.history().size(); i++)
            if (i % 50 == 0 || i == r.history().size() - 1)
                curve.append(String.format(" %d:%.4f/%.4f", i, r.history().get(i).get(PivotalTuning.L2), r.history().get(i).get(PivotalTuning.PERCEPTUAL)));
        double mse = PtiFixtures.mse(r.image(), target);
        double lp = ld.distance(r.image(), target).getDouble(0);
        ManifoldDrift.Result d = ManifoldDrift.measure(g, r.weightOffsets(), 32, 11, 8, ld);
        System.out.printf("[%s] steps %d stoppedEarly %s | MSE %.5f LPIPS %.5f | drift (32 z) MSE %.5f LPIPS %.5f | %.1f ms/step (build %.0f ms, loop %.0f ms)%n  l2/lpips by step:%s%n",
                name, r.steps(), r.stoppedEarly(), mse, lp, d.mse(), d.perceptual().getAsDouble(),
                r.msPerStep(), 1000 * r.setupSeconds(), 1000 * r.run().seconds(), curve);
        assertThat(d.mse()).isFinite();
    }
}
