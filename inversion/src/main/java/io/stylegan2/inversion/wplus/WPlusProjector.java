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
import io.stylegan2.stylegan.PaddingProviders;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Image2StyleGAN-style projection into W+: all {@code num_ws} rows start at {@code w_avg} and are
 * optimised independently with Adam; loss = {@code mseWeight * MSE + perceptualWeight * perceptual}
 * (the perceptual term only when a {@link PerceptualLoss} is supplied and the images are RGB);
 * the generator's noise is the constant buffers ({@code noise_mode='const'}), not optimised.
 * History terms: {@code mse}, {@code perceptual} (when used), {@code total}, {@code lr}.
 *
 * <p>With {@link WPlusConfig#paddedUpTo()} set it is PadInv's padding-space optimisation
 * ({@value #PADDED_NAME}): a border map per non-upsampling 3x3 conv up to that resolution
 * ({@link PaddingProviders#paddedLayers}) is trained with W+ by the same loss and Adam, starting at
 * zero padding; the maps are saved in the reconstruction's hook state, so {@code edit} keeps them.
 *
 * <p><b>Thread safety:</b> Thread-safe when its perceptual distance is ({@code Lpips} is): the
 * fields are final and every {@link #invertOne} builds and trains its own graph, so concurrent
 * calls, or several projectors, may share one {@link Generator}, which serialises its calls.
 */
public final class WPlusProjector implements Inverter {
    /** Registry name. */
    public static final String NAME = "wplus";
    /** Registry name of the padding-space variant. */
    public static final String PADDED_NAME = "padinv-opt";

    private final Generator g;
    private final PerceptualLoss perceptual;
    private final WPlusConfig config;

    /** A projector with pixel MSE only (no perceptual distance). */
    public WPlusProjector(Generator g, WPlusConfig config) {
        this(g, java.util.Optional.empty(), config);
    }

    /**
     * A projector with a perceptual distance.
     *
     * @param perceptual the perceptual distance (the caller keeps ownership)
     */
    public WPlusProjector(Generator g, PerceptualLoss perceptual, WPlusConfig config) {
        this(g, java.util.Optional.of(java.util.Objects.requireNonNull(perceptual, "perceptual (use the constructor without it for pixel MSE only)")), config);
    }

    /** A projector with the perceptual distance when one is present, else pixel MSE only (what the method registry builds). */
    public static WPlusProjector of(Generator g, java.util.Optional<PerceptualLoss> perceptual, WPlusConfig config) {
        return new WPlusProjector(g, perceptual, config);
    }

    private WPlusProjector(Generator g, java.util.Optional<PerceptualLoss> perceptual, WPlusConfig config) {
        this.g = java.util.Objects.requireNonNull(g, "generator");
        this.perceptual = perceptual.orElse(null);
        this.config = java.util.Objects.requireNonNull(config, "config (WPlusConfig.defaults() for the defaults)");
    }

    @Override
    public String name() {
        return config.paddedUpTo() > 0 ? PADDED_NAME : NAME;
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

        MethodGraph.Builder b = MethodGraph.builder(g).paramPrefix("G/").latentWPlus(g.wAvg()).target(target.image());
        if (config.paddedUpTo() > 0) {
            b.trainablePadding(PaddingProviders.zeroBorders(g.config(), config.paddedUpTo()));
            notes.add("padding space: border maps of " + String.join(", ", PaddingProviders.paddedLayers(g.config(), config.paddedUpTo())));
        }
        MethodGraph mg = b.build();
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
                .task(name() + " " + target.name()).steps(config.steps()).schedule(Schedule.constant(config.learningRate()))
                .run(progress, cancel);
        return Results.finish(name(), target, g, new Reconstruction(mg.latent(), mg.hookState(), Map.of(), Map.of()), java.util.Optional.ofNullable(perceptual), MethodOptions.asMap(config), run.history(),
                setup, run.steps(), 1000 * run.seconds() / config.steps(), notes, t0);
    }
}
