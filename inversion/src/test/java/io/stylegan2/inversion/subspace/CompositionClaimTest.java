package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The composition claim at a tiny budget on the trained network and two real test garments none of
 * the experiments used (11 and 12): subspaces from a short self-expressive run at b16, then W+ (one
 * code), mGANprior (7 codes) and PmSFC (6 subspace codes + base) with the same {@value #STEPS} steps,
 * MSE + LPIPS. Asserted: PmSFC reconstructs better than one code on average (at 300 steps on six
 * other garments it does on 5 of 6, inversion/PMSFC.md). Printed, not asserted, because it does not
 * hold at every budget: mGANprior against W+ (ahead on 4 of 6 garments at 300 steps, behind on both
 * garments here at 100 steps: its 7 codes and importances converge more slowly) and PmSFC against
 * mGANprior (the paper's order; here PmSFC is ahead at 100 steps and behind on 5 of 6 at 300).
 */
class CompositionClaimTest {
    static final int STEPS = 100;
    static final int[] GARMENTS = {11, 12};

    @Test
    void pmsfcReconstructsBetterThanOneCode(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        SelfExpressiveLayer.Result se = SelfExpressiveLayer.train(g, new SelfExpressiveLayer.Config("b16", 4, 300, 1e-3, 1, 0.1, SelfExpressiveLayer.Sparsity.L1, 1e-4, 0), null, null);
        Path sub = dir.resolve("sub.safetensors");
        new Subspaces("b16", se.matrix(), SubspaceClustering.cluster(se.matrix(), SubspaceClustering.Settings.defaults()), 6, Map.of()).save(sub);
        double w = 0, mgan = 0, pm = 0;
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            for (int gi : GARMENTS) {
                Target t = new Target("garment" + gi, FixtureModel.garment(gi));
                MethodContext c = MethodContext.of(g).withPerceptual(alex).withSteps(STEPS);
                InversionResult rw = Methods.builtIn().create("wplus", c).invertOne(t, null, null);
                InversionResult rm = Methods.builtIn().create("mganprior", c.withOptions(Map.of("codes", "7"))).invertOne(t, null, null);
                InversionResult rp = Methods.builtIn().create("pmsfc", c.withOptions(Map.of("subspaces", sub.toString()))).invertOne(t, null, null);
                System.out.printf(java.util.Locale.ROOT, "garment %d, %d steps: MSE W+ %.1f, mGANprior %.1f, PmSFC %.1f%n", gi, STEPS,
                        rw.metrics().mse(), rm.metrics().mse(), rp.metrics().mse());
                w += rw.metrics().mse() / GARMENTS.length;
                mgan += rm.metrics().mse() / GARMENTS.length;
                pm += rp.metrics().mse() / GARMENTS.length;
            }
        }
        System.out.printf(java.util.Locale.ROOT, "mean MSE: W+ %.1f, mGANprior %.1f, PmSFC %.1f (not asserted: mGANprior %s W+, PmSFC %s mGANprior)%n",
                w, mgan, pm, mgan < w ? "below" : "above", pm < mgan ? "below" : "above");
        assertThat(pm).as("PmSFC vs one W+ code").isLessThan(w);
    }
}
