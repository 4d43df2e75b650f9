package io.stylegan2.inversion.engine;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * How every method ends: its {@link Reconstruction} is drawn by the method's renderer (the shared
 * {@code ReconstructionRenderer} unless the method brings its own; so the saved image is exactly what {@code edit} redraws at
 * strength 0), measured against the target, and packed into an {@link InversionResult}.
 */
public final class Results {
    private Results() {}

    /**
     * @param t0 {@code System.nanoTime()} at the start of the inversion (for the total time)
     */
    public static InversionResult finish(String method, Target target, Generator g, Reconstruction r, PerceptualLoss perceptual,
                                         Map<String, Object> config, List<Map<String, Double>> history,
                                         double setupSeconds, int steps, double msPerStep, List<String> notes, long t0) {
        INDArray image;
        try (Renderer renderer = Methods.builtIn().renderer(method, g, r)) {
            image = renderer.render();
        }
        ReconstructionMetrics metrics = ReconstructionMetrics.compute(target.image(), image, perceptual);
        Timing timing = new Timing(setupSeconds, seconds(t0), steps, msPerStep);
        return new InversionResult(method, target.name(), r, image, config, history, metrics, timing, notes);
    }

    /** Seconds since {@code t0} ({@code System.nanoTime()}). */
    public static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
