package io.stylegan2.inversion.pti;

import io.stylegan2.core.SameDiffs;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.LpipsDistance;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.BiFunction;

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
        SameDiffs.quiet();
        int steps = Integer.getInteger("pti.steps", 300);
        int photo = Integer.getInteger("pti.photo", 0);
        try (Generator g = PtiFixtures.generator(); Lpips alex = PtiFixtures.lpipsAlex(); LpipsDistance ld = new LpipsDistance(alex)) {
            BiFunction<SDVariable, SDVariable, SDVariable> lpips = PivotalTuning.lpips(alex, 32);
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

    private static void run(String name, Generator g, LpipsDistance ld, BiFunction<SDVariable, SDVariable, SDVariable> lpips,
                            INDArray pivot, INDArray target, PtiConfig c) {
        PtiResult r = new PivotalTuning(c, lpips).tune(g, pivot, target);
        StringBuilder curve = new StringBuilder();
        for (PtiResult.Step s : r.history())
            if (s.step() % 50 == 0 || s.step() == r.history().size() - 1)
                curve.append(String.format(" %d:%.4f/%.4f", s.step(), s.value(PivotalTuning.L2), s.value(PivotalTuning.PERCEPTUAL)));
        double mse = PtiFixtures.mse(r.reconstruction(), target);
        double lp = ld.distance(r.reconstruction(), target).getDouble(0);
        try (TunedGenerator t = new TunedGenerator(g, r.weightOffsets())) {
            ManifoldDrift.Result d = t.drift(32, 11, 8, ld);
            System.out.printf("[%s] steps %d stoppedEarly %s | MSE %.5f LPIPS %.5f | drift (32 z) MSE %.5f LPIPS %.5f | %.1f ms/step (build %d ms, loop %d ms)%n  l2/lpips by step:%s%n",
                    name, r.steps(), r.stoppedEarly(), mse, lp, d.mse(), d.perceptual().getAsDouble(),
                    r.timing().msPerStep(), r.timing().buildMillis(), r.timing().tuneMillis(), curve);
            assertThat(d.mse()).isFinite();
        }
    }
}
