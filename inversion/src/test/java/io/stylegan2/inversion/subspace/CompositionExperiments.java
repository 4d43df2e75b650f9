package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opt-in ({@code -Dstylegan2.experiments=true}): W+ (one code), mGANprior (K + 1 codes) and PmSFC
 * (K subspace codes + base, subspaces from two seeds) on held-out Fashion-MNIST test garments at the
 * same step budget, MSE + LPIPS(fixture alex) for all; numbers for PMSFC.md.
 */
@EnabledIfSystemProperty(named = "stylegan2.experiments", matches = "true")
class CompositionExperiments {
    @Test
    void compare() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        int steps = Integer.getInteger("steps", 300);
        String[] garments = System.getProperty("garments", "20,21,22,23,24,25").split(",");
        Path dir = Files.createTempDirectory("pmsfc");
        Path[] subs = new Path[2];
        for (int seed = 0; seed < 2; seed++) {
            SelfExpressiveLayer.Result r = SelfExpressiveLayer.train(g, new SelfExpressiveLayer.Config("b16", 4, 1000, 1e-3, 1, 0.1, SelfExpressiveLayer.Sparsity.L1, 1e-4, seed), null, null);
            int[] labels = SubspaceClustering.cluster(r.matrix(), new SubspaceClustering.Settings(6, 6, 0.2, 3, seed));
            subs[seed] = dir.resolve("sub" + seed + ".safetensors");
            new Subspaces("b16", r.matrix(), labels, 6, Map.of()).save(subs[seed]);
        }
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            System.out.println("garment,method,mse,psnr,ssim,lpips,ms_per_step");
            for (String gi : garments) {
                Target t = new Target("garment" + gi, FixtureModel.garment(Integer.parseInt(gi.trim())));
                run(g, alex, t, "wplus", Map.of(), steps, "wplus");
                run(g, alex, t, "mganprior", Map.of("codes", "7", "block", "b16"), steps, "mganprior");
                for (int seed = 0; seed < 2; seed++)
                    run(g, alex, t, "pmsfc", Map.of("subspaces", subs[seed].toString()), steps, "pmsfc-s" + seed);
            }
        }
    }

    private static void run(Generator g, Lpips alex, Target t, String method, Map<String, String> options, int steps, String label) throws Exception {
        InversionResult r = Methods.builtIn().create(method, MethodContext.of(g).withPerceptual(alex).withSteps(steps).withOptions(options)).invertOne(t, null, null);
        ReconstructionMetrics m = r.metrics();
        System.out.printf(java.util.Locale.ROOT, "%s,%s,%.3f,%.3f,%.4f,%.5f,%.1f%n", t.name(), label, m.mse(), m.psnr(), m.ssim(), m.perceptual(), r.timing().msPerStep());
    }
}
