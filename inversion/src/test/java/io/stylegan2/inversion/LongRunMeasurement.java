package io.stylegan2.inversion;

import io.stylegan2.core.io.LossCurves;
import io.stylegan2.inversion.projector.NvidiaConfig;
import io.stylegan2.inversion.projector.NvidiaProjector;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The README's measured numbers (not part of the normal suite: run with
 * {@code -Dtest=LongRunMeasurement -Dinversion.longRun=200}): W+ and W projection of a fixture-generated image.
 */
class LongRunMeasurement {
    @Test
    void measure() throws Exception {
        String p = System.getProperty("inversion.longRun");
        Assumptions.assumeTrue(p != null, "set -Dinversion.longRun=STEPS");
        int steps = Integer.parseInt(p);
        Generator g = FixtureModel.generator();
        Target t = FixtureModel.target("seed7", 7, 0.7);
        double base = Mse.image(t.image(), ReconstructionMetrics.clamp(g.synthesis(
                wAvgWs(g), NoiseMode.CONST, 0)));
        System.out.printf("LONGRUN baseline w_avg image: MSE(signed) %.5f%n", base);
        for (String method : System.getProperty("inversion.methods", "wplus,w").split(",")) {
            Inverter inv = method.equals("wplus")
                    ? new WPlusProjector(g, WPlusConfig.defaults().withSteps(steps))
                    : new NvidiaProjector(g, NvidiaConfig.defaults().withSteps(steps));
            InversionResult r = inv.invert(t);
            InversionResults.save(r, Path.of("target/longrun-" + method + ".safetensors"));
            LossCurves.writePng(r.history(), method + " " + steps + " steps", true, Path.of("target/longrun-" + method + "-loss.png"));
            StringBuilder sb = new StringBuilder();
            for (int s : new int[]{0, steps / 4, steps / 2, 3 * steps / 4, steps - 1}) sb.append(String.format(" step%d=%.5f", s + 1, r.history().get(s).get("total")));
            System.out.printf("LONGRUN %s %d steps: %s | total loss%s | setup %.1f s, %.1f ms/step, total %.1f s%n",
                    method, steps, r.metrics(), sb, r.timing().setupSeconds(), r.timing().msPerStep(), r.timing().totalSeconds());
        }
    }

    private static org.nd4j.linalg.api.ndarray.INDArray wAvgWs(Generator g) {
        org.nd4j.linalg.api.ndarray.INDArray w = g.wAvg().reshape(1, g.config().wDim());
        return org.nd4j.linalg.factory.Nd4j.repeat(w, g.config().numWs()).reshape(1, g.config().numWs(), g.config().wDim());
    }
}
