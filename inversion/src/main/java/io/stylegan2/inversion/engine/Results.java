package io.stylegan2.inversion.engine;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How every method ends: its {@link Reconstruction} is drawn by the method's renderer (the shared
 * {@code ReconstructionRenderer} unless the method brings its own; so the saved image is exactly what {@code edit} redraws at
 * strength 0), measured against the target, and packed into an {@link InversionResult}.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each call
 * builds and closes its own renderer; the {@code Generator} serialises its calls). The arrays
 * passed in go into the result uncopied and must not be mutated afterwards.
 */
public final class Results {
    /** Latents of the manifold-drift report of a tuning around a pivot ({@link #finishTuned}). */
    public static final int DRIFT_SAMPLES = 16;

    private Results() {}

    /**
     * How a generator tuning around a pivot ends (PTI, GANI): the reconstruction keeps the pivot's
     * latent, the weight offsets and the tuning's noise mode; the pivot's own noise maps (which the
     * tuned generator does not use) are kept as extras {@code pivot/noise/<layer>} next to
     * {@code extras}. The manifold drift of the tuned generator on {@value #DRIFT_SAMPLES} fixed
     * latents goes into the config ({@code drift_*}) and the notes.
     *
     * @param methodConfig the method's settings, stored under the method's name in the config
     * @param summary      the note on the tuning itself (e.g. "PTI 350 steps")
     */
    public static InversionResult finishTuned(String method, Target target, Generator g, InversionResult pivot, TuningResult tuned, NoiseMode noiseMode,
                                              Optional<PerceptualLoss> perceptual, Map<String, Object> methodConfig, Map<String, INDArray> extras,
                                              String summary, long t0) {
        Map<String, INDArray> x = new LinkedHashMap<>();
        pivot.reconstruction().hooks().noise().forEach((l, n) -> x.put("pivot/noise/" + l, n));
        x.putAll(extras);
        Reconstruction r = Reconstruction.tuned(pivot.latent(), HookState.of(noiseMode), tuned.weightOffsets(), x);
        ManifoldDrift.Result drift = perceptual.isPresent() ? ManifoldDrift.measure(g, tuned.weightOffsets(), DRIFT_SAMPLES, 0, 4, perceptual.get())
                : ManifoldDrift.measure(g, tuned.weightOffsets(), DRIFT_SAMPLES, 0, 4);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("pivot_method", pivot.method());
        cfg.put(method, methodConfig);
        cfg.put("drift_samples", drift.samples());
        cfg.put("drift_mse", drift.mse());
        drift.perceptual().ifPresent(v -> cfg.put("drift_" + drift.perceptualName(), v));
        List<String> notes = new ArrayList<>(pivot.notes());
        notes.add(String.format(Locale.ROOT, "pivot (%s): MSE %.5g; %s; manifold drift on %d latents: MSE %.5g%s",
                pivot.method(), pivot.metrics().mseSigned(), summary, drift.samples(), drift.mse(),
                drift.perceptual().isPresent() ? ", " + drift.perceptualName() + " " + String.format(Locale.ROOT, "%.5g", drift.perceptual().getAsDouble()) : ""));
        return finish(method, target, g, r, perceptual, cfg, tuned.history(), pivot.timing().totalSeconds(), tuned.steps(), tuned.msPerStep(), notes, t0);
    }

    /**
     * @param perceptual the perceptual distance the metrics report, when the method has one
     * @param t0         {@code System.nanoTime()} at the start of the inversion (for the total time)
     */
    public static InversionResult finish(String method, Target target, Generator g, Reconstruction r, Optional<PerceptualLoss> perceptual,
                                         Map<String, Object> config, List<Map<String, Double>> history,
                                         double setupSeconds, int steps, double msPerStep, List<String> notes, long t0) {
        INDArray image;
        try (Renderer renderer = Methods.builtIn().renderer(method, g, r)) {
            image = renderer.render();
        }
        ReconstructionMetrics metrics = perceptual.isPresent() ? ReconstructionMetrics.compute(target.image(), image, perceptual.get())
                : ReconstructionMetrics.compute(target.image(), image);
        Timing timing = new Timing(setupSeconds, seconds(t0), steps, msPerStep);
        return new InversionResult(method, target.name(), r, image, config, history, metrics, timing, notes);
    }

    /** Seconds since {@code t0} ({@code System.nanoTime()}). */
    public static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
