package io.stylegan2.inversion.wplus;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.stylegan.Generator;

import java.util.ArrayList;
import java.util.List;

/**
 * Image2StyleGAN-style projection into W+: all {@code num_ws} rows start at {@code w_avg} and are
 * optimised independently with Adam; loss = {@code mseWeight * MSE + perceptualWeight * perceptual}
 * (the perceptual term only when a {@link PerceptualLoss} is supplied and the images are RGB);
 * the generator's noise is the constant buffers ({@code noise_mode='const'}), not optimised.
 * History terms: {@code mse}, {@code perceptual} (when used), {@code total}, {@code lr}.
 */
public final class WPlusProjector implements Inverter {
    /** Registry name. */
    public static final String NAME = "wplus";

    private final Generator g;
    private final PerceptualLoss perceptual;
    private final WPlusConfig config;

    /**
     * @param perceptual perceptual distance, or null for MSE only (the caller keeps ownership)
     */
    public WPlusProjector(Generator g, PerceptualLoss perceptual, WPlusConfig config) {
        this.g = g;
        this.perceptual = perceptual;
        this.config = config == null ? WPlusConfig.defaults() : config;
    }

    @Override
    public String name() {
        return NAME;
    }

    public WPlusConfig config() {
        return config;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) {
        long t0 = System.nanoTime();
        target.requireFits(g.config());
        int res = target.resolution();
        List<String> notes = new ArrayList<>();

        MethodGraph mg = MethodGraph.builder(g).paramPrefix("G/").latentWPlus(g.wAvg()).target(target.image()).build();
        CompositeLoss.Builder lb = mg.loss().add("mse", config.mseWeight(), Pixelwise.mse(mg.image(), mg.target()));
        if (perceptual != null && target.channels() == 3) {
            lb.add("perceptual", config.perceptualWeight(), perceptual.distance(mg.image(), mg.target(), res, res).mean());
            notes.add("perceptual term: " + perceptual.name());
        } else {
            notes.add(perceptual == null ? "no perceptual distance supplied: MSE only"
                    : "grayscale target: perceptual term (" + perceptual.name() + ") skipped, MSE only");
        }
        CompositeLoss loss = lb.build();
        double setup = Results.seconds(t0);

        OptimisationLoop.Result run = mg.loop(loss, mg.adam(config.beta1(), config.beta2(), config.epsilon()))
                .task(NAME + " " + target.name()).steps(config.steps()).schedule(Schedule.constant(config.learningRate()))
                .run(progress, cancel);
        return Results.finish(NAME, target, g, Reconstruction.of(mg.latent()), perceptual, MethodOptions.asMap(config), run.history(),
                setup, run.steps(), 1000 * run.seconds() / config.steps(), notes, t0);
    }
}
