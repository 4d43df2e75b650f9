package io.stylegan2.inversion.gani;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.EditConsistency;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.inversion.editing.SeFa;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.inversion.pti.PtiConfig;
import io.stylegan2.inversion.pti.PtiMethod;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements behind inversion/GANI.md (not part of the normal suite), on the shipped trained
 * Fashion-MNIST model and real test garments it never saw. Run with
 * {@code -Dgani.experiment=true -Dgani.steps=N -Dgani.pivotSteps=P -Dgani.images=i,j,.. -Dgani.seeds=0,1
 * -Dgani.runs="name:key=value,..;name2:.." [-Dgani.pti=true]}: each image gets a pivot from the W projector
 * with PTI's settings (P steps), then PTI (no early stop) and each GANI run tune N steps from it; each row:
 * MSE, PSNR, SSIM, LPIPS of the reconstruction, manifold drift (32 latents), edit consistency (SeFa 0,
 * strength 3, 32 samples, psi 0.7), trained parameters, ms per step.
 */
@EnabledIfSystemProperty(named = "gani.experiment", matches = "true")
class GaniExperiments {

    @Test
    void run() throws Exception {
        int steps = Integer.getInteger("gani.steps", 100), pivotSteps = Integer.getInteger("gani.pivotSteps", 200);
        String[] images = System.getProperty("gani.images", "1,2").split(",");
        String[] seeds = System.getProperty("gani.seeds", "0").split(",");
        Generator g = FixtureModel.trainedGenerator();
        Direction dir = SeFa.compute(g, 1, LayerRange.all(g.config().numWs())).get(0);
        try (Lpips lpips = FixtureModel.lpipsAlex()) {
            long ptiParams = 0;
            for (String n : g.params().names()) if (PivotalTuning.TUNED.test(n)) ptiParams += g.params().get(n).length();
            for (String is : images) {
                int i = Integer.parseInt(is.trim());
                Target t = new Target("garment" + i, FixtureModel.garment(i));
                InversionResult p = PtiMethod.pivot("gani", MethodContext.of(g).withPerceptual(lpips).withSteps(pivotSteps).withOptions(Map.of()), null, 3, null, "w", pivotSteps).invert(t);
                row(i, "pivot", "-", p.image(), t, lpips, g, Map.of(), dir, 0, 0);
                if (Boolean.getBoolean("gani.pti")) {
                    TuningResult r = new PivotalTuning(PtiConfig.defaults().withMaxSteps(steps).withPerceptualThreshold(0), lpips).tune(g, p.ws(), t.image());
                    row(i, "pti", "-", r.image(), t, lpips, g, r.weightOffsets(), dir, ptiParams, r.msPerStep());
                }
                for (String spec : System.getProperty("gani.runs", "default:").split(";")) {
                    String[] parts = spec.split(":", 2);
                    Map<String, String> opts = new LinkedHashMap<>();
                    if (parts.length > 1) for (String kv : parts[1].split(",")) if (kv.contains("=")) opts.put(kv.split("=")[0].trim(), kv.split("=")[1].trim());
                    for (String s : seeds) {
                        opts.put("seed", s.trim());
                        GaniConfig c = MethodOptions.parse("gani", opts, GaniOptions.defaults()).config(steps);
                        TuningResult r = new GaniTuning(c, lpips).tune(g, p.ws(), t.image());
                        row(i, parts[0], s.trim(), r.image(), t, lpips, g, r.weightOffsets(), dir,
                                r.extras().get(GaniTuning.PARAMETER_COUNT).getLong(0), r.msPerStep());
                    }
                }
            }
        }
    }

    private static void row(int image, String run, String seed, INDArray img, Target t, Lpips lpips, Generator g, Map<String, INDArray> offsets,
                            Direction dir, long params, double ms) {
        ReconstructionMetrics m = ReconstructionMetrics.compute(t.image(), img, lpips);
        double driftMse = 0, driftLp = 0, edit = 1;
        if (!offsets.isEmpty()) {
            ManifoldDrift.Result d = ManifoldDrift.measure(g, offsets, 32, 11, 8, lpips);
            driftMse = d.mse();
            driftLp = d.perceptual().getAsDouble();
            edit = EditConsistency.measure(g, offsets, dir, 3.0, 32, 0.7, 5).meanCorrelation();
        }
        System.out.printf(Locale.ROOT, "GX\t%d\t%s\t%s\t%.6f\t%.3f\t%.4f\t%.5f\t%.6f\t%.5f\t%.4f\t%d\t%.1f%n", image, run, seed, m.mseSigned(), m.psnr(), m.ssim(),
                m.perceptual() == null ? Double.NaN : m.perceptual(), driftMse, driftLp, edit, params, ms);
    }
}
