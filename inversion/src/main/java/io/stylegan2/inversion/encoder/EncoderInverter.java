package io.stylegan2.inversion.encoder;

import java.util.Objects;

import java.util.Optional;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained {@link Encoder} as an {@link Inverter}: one forward pass per ReStyle iteration, no
 * optimisation. An encoder with a padding branch (PadInv) saves its border maps and constant
 * input in the reconstruction's hook state, so {@code edit} keeps them. The history holds one entry per iteration (the reconstruction MSE in [-1, 1]).
 *
 * <p><b>Thread safety:</b> Thread-safe when its perceptual distance is ({@code Lpips} is): the
 * fields are final, the shared {@link Encoder} serialises the inversions, and each call renders
 * through its own renderer; several inverters may share one {@link Generator}.
 */
public final class EncoderInverter implements Inverter {
    /** Registry name. */
    public static final String NAME = "encoder";

    private final String name;
    private final Generator g;
    private final Encoder encoder;
    private final int iterations;
    private final Optional<PerceptualLoss> perceptual;

    /**
     * An encoder inverter whose results report LPIPS too.
     *
     * @param iterations ReStyle iterations (3 is the measured best for the default training)
     */
    public EncoderInverter(Generator g, Encoder encoder, int iterations, PerceptualLoss perceptual) {
        this(NAME, g, encoder, iterations, Optional.of(Objects.requireNonNull(perceptual, "perceptual (leave it out for none)")));
    }

    /** An encoder inverter whose results report the pixel metrics only. */
    public EncoderInverter(Generator g, Encoder encoder, int iterations) {
        this(NAME, g, encoder, iterations, Optional.empty());
    }

    /**
     * @param name       the method name results carry ({@code encoder}, or {@code padinv} for an encoder with a padding branch)
     * @param perceptual the perceptual distance the results' metrics report, if any
     */
    public EncoderInverter(String name, Generator g, Encoder encoder, int iterations, Optional<PerceptualLoss> perceptual) {
        this.name = name;
        if (iterations < 1) throw new IllegalArgumentException("encoder iterations must be >= 1, got " + iterations);
        encoder.config().requireCompatible(g.config());
        this.g = g;
        this.encoder = encoder;
        this.iterations = iterations;
        this.perceptual = Objects.requireNonNull(perceptual, "perceptual");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        CancellationToken.orNone(cancel).throwIfCancelled("encoder cancelled");
        target.requireFits(g.config());
        Progress p = Progress.orNone(progress);
        p.start(name + " " + target.name(), iterations);
        long t0 = System.nanoTime();
        Encoder.Result r = encoder.invert(g, target.image(), iterations);
        List<Map<String, Double>> history = new ArrayList<>();
        for (int i = 0; i < r.iterationImages().size(); i++) {
            Map<String, Double> h = new LinkedHashMap<>();
            h.put("mse", Mse.image(r.iterationImages().get(i), target.image()));
            history.add(h);
            p.update(i + 1, h);
        }
        p.end();
        double secs = Results.seconds(t0);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("iterations", iterations);
        cfg.put("encoder", MethodOptions.asMap(encoder.config()));
        Reconstruction rec = Reconstruction.of(Latent.wPlus(r.ws(), g.config()));
        if (encoder.config().padded())
            rec = new Reconstruction(rec.latent(), HookState.CONST.withPadding(r.padding()).withConstInput(r.constInput()), Map.of(), Map.of());
        return Results.finish(name, target, g, rec, perceptual, cfg, history,
                0, iterations, secs * 1000 / iterations, List.of(), t0);
    }
}
