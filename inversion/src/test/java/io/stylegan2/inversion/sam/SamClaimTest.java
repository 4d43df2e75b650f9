package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.GanSpace;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SAM's claim at a tiny budget on the trained network, with the shipped invertibility network, on
 * real test garments no experiment used (150-152): with the same steps (40 of W+ optimisation, then
 * 40 joint), SAM at the network's default threshold (0.107: see inversion/SAM.md) reconstructs better
 * than W+ alone (tau above every prediction), and
 * its edits (GANSpace component 0 of the model, strength 3, drawn SAM's way) change the image more
 * than those of the deepest single space (b16 everywhere, tau below zero), whose regions are frozen.
 */
class SamClaimTest {
    static final int[] GARMENTS = {150, 151, 152};

    @Test
    void samReconstructsBetterThanWPlusAndEditsMoreThanTheDeepestSpace() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Direction d = GanSpace.compute(g, 1, 2000, 0, LayerRange.all(g.config().numWs())).directions().get(0);
        MethodContext c = MethodContext.of(g).withSteps(40);
        double[] mse = new double[3], edit = new double[3];
        String[] taus = {"1e9", null, "-1"};   // W+ alone, the network's default threshold, the deepest space everywhere
        for (int gi : GARMENTS) {
            Target t = new Target("garment" + gi, FixtureModel.garment(gi));
            for (int k = 0; k < 3; k++) {
                Inverter inv = Methods.builtIn().create("sam", c.withOptions(taus[k] == null ? Map.of("init-steps", "40") : Map.of("tau", taus[k], "init-steps", "40")));
                InversionResult r = inv.invertOne(t, null, null);
                try (Renderer renderer = Methods.builtIn().renderer("sam", g, r.reconstruction())) {
                    INDArray ws = r.ws();
                    edit[k] += renderer.render(d.apply(ws, 3)).sub(renderer.render(ws)).norm2Number().doubleValue() / GARMENTS.length;
                }
                mse[k] += r.metrics().mse() / GARMENTS.length;
                System.out.printf(Locale.ROOT, "garment %d tau %s: MSE %.1f, spaces %s%n", gi, taus[k], r.metrics().mse(), r.config().get("fractions"));
            }
        }
        System.out.printf(Locale.ROOT, "mean MSE W+ %.1f, SAM %.1f, b16 %.1f; mean edit norm W+ %.3f, SAM %.3f, b16 %.3f%n", mse[0], mse[1], mse[2], edit[0], edit[1], edit[2]);
        assertThat(mse[1]).as("SAM vs W+ (MSE)").isLessThan(mse[0]);
        assertThat(edit[1]).as("SAM's edits vs the deepest space's").isGreaterThan(edit[2]);
    }
}
