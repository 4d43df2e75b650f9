package io.stylegan2.inversion.nearperfect;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.inversion.pti.PtiConfig;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements behind inversion/NEAR_PERFECT.md (not part of the normal suite). Run with
 * {@code -Dnp.experiment=true -Dnp.steps=N -Dnp.init=K -Dnp.photo=I -Dnp.runs="name:k=v,k=v;name2:..." [-Dnp.baselines=true]}:
 * fixture photo I at 32 px; initial latent = W+ optimisation (K steps, MSE + LPIPS-alex); then each run
 * tunes N steps from it. Baselines: W+ alone with K + N steps, PTI (L2 + LPIPS, no early stop) N steps from the same latent.
 */
@EnabledIfSystemProperty(named = "np.experiment", matches = "true")
class NearPerfectExperiments {

    @Test
    void run() throws Exception {
        io.stylegan2.core.engine.Engine.get();
        int steps = Integer.getInteger("np.steps", 100), init = Integer.getInteger("np.init", 100), photo = Integer.getInteger("np.photo", 0);
        Generator g = FixtureModel.generator();
        Discriminator d = FixtureModel.discriminator();
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            Lpips ld = alex, perceptual = alex;
            Target t = new Target("photo" + photo, FixtureModel.photo(photo, 32));
            long t0 = System.nanoTime();
            InversionResult start = new WPlusProjector(g, perceptual, WPlusConfig.defaults().withSteps(init)).invert(t);
            System.out.printf(Locale.ROOT, "NP init W+ %d steps: MSE %.5f LPIPS %.5f (%.1f s)%n", init, start.metrics().mseSigned(),
                    ld.distance(start.image(), t.image()).getDouble(0), (System.nanoTime() - t0) / 1e9);
            if (Boolean.getBoolean("np.baselines")) {
                InversionResult wp = new WPlusProjector(g, perceptual, WPlusConfig.defaults().withSteps(init + steps)).invert(t);
                row("W+ alone (" + (init + steps) + " steps)", wp.metrics().mseSigned(), ld.distance(wp.image(), t.image()).getDouble(0),
                        TuningReport.measure(g, d, Map.of(), wp.image(), t.image(), java.util.Optional.of(ld), 64, 11), wp.timing().msPerStep());
                TuningResult pti = new PivotalTuning(PtiConfig.defaults().withMaxSteps(steps).withPerceptualThreshold(0), alex)
                        .tune(g, start.ws(), t.image());
                row("PTI (" + steps + " steps)", Mse.image(t.image(), pti.image()), ld.distance(pti.image(), t.image()).getDouble(0),
                        TuningReport.measure(g, d, pti.weightOffsets(), pti.image(), t.image(), java.util.Optional.of(ld), 64, 11), pti.msPerStep());
            }
            for (String spec : System.getProperty("np.runs", "default:").split(";")) {
                String[] parts = spec.split(":", 2);
                Map<String, String> opts = new LinkedHashMap<>();
                if (parts.length > 1) for (String kv : parts[1].split(",")) if (kv.contains("=")) opts.put(kv.split("=")[0].trim(), kv.split("=")[1].trim());
                NearPerfectConfig c = io.stylegan2.inversion.MethodOptions.parse("near-perfect", opts, NearPerfectOptions.defaults()).config(32, steps);
                TuningResult r = new NearPerfectTuning(c).tune(g, d, start.ws(), t.image());
                row(parts[0] + " " + opts, Mse.image(t.image(), r.image()), ld.distance(r.image(), t.image()).getDouble(0),
                        TuningReport.measure(g, d, r.weightOffsets(), r.image(), t.image(), java.util.Optional.of(ld), 64, 11), r.msPerStep());
                System.out.printf(Locale.ROOT, "NP   edit consistency (SeFa 0, strength 3, 32 samples): %s%n",
                        io.stylegan2.inversion.editing.EditConsistency.measure(g, r.weightOffsets(),
                                io.stylegan2.inversion.editing.SeFa.compute(g, 1, io.stylegan2.inversion.editing.LayerRange.all(g.config().numWs())).get(0), 3.0, 32, 0.7, 5));
            }
        }
    }

    private static void row(String name, double mse, double lpips, TuningReport rep, double msPerStep) {
        System.out.printf(Locale.ROOT, "NP | %s | MSE %.6f | LPIPS %.4f | drift MSE %.5f | drift LPIPS %.4f | FD-D %.4g | D(recon) %.3f | D(target) %.3f | D(samples) %.3f -> %.3f | %.0f ms/step%n",
                name, mse, lpips, rep.get("drift_mse"), rep.get("drift_lpips-alex"), rep.get("fd_discriminator"), rep.get("d_logit_reconstruction"),
                rep.get("d_logit_target"), rep.get("d_logit_samples_original"), rep.get("d_logit_samples_tuned"), msPerStep);
    }
}
