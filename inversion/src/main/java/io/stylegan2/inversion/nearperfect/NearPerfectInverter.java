package io.stylegan2.inversion.nearperfect;

import io.stylegan2.core.Progress;
import io.stylegan2.inversion.CancellationToken;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.PerceptualLoss;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.SavedResult;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderInverter;
import io.stylegan2.inversion.projector.WPlusConfig;
import io.stylegan2.inversion.projector.WPlusProjector;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.ParameterStore;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Near-perfect inversion as an {@link Inverter}: the initial latent from another inverter (the
 * ReStyle encoder, a saved result, or W+ optimisation), then {@link NearPerfectTuning}. Like PTI,
 * the result keeps the initial latent and stores the weight offsets as extras
 * {@code delta/<canonical name>} (PyTorch layout), so {@code edit} renders edits with the tuned
 * generator. The {@link TuningReport} (manifold drift, FD-discriminator of random samples,
 * discriminator scores) goes into the result's config ({@code report_*}) and notes.
 */
public final class NearPerfectInverter implements Inverter {
    /** Registry name. */
    public static final String NAME = "near-perfect";

    private final Generator g;
    private final Discriminator d;
    private final Inverter initial;
    private final PerceptualLoss perceptual;
    private final NearPerfectConfig config;
    private final int reportSamples;

    /**
     * @param d             the checkpoint's discriminator (null only when both adversarial weights are 0)
     * @param initial       inverter giving the initial latent
     * @param perceptual    optional: the LPIPS metric and the drift's perceptual distance
     * @param reportSamples latents of the {@link TuningReport} (0: no report)
     */
    public NearPerfectInverter(Generator g, Discriminator d, Inverter initial, PerceptualLoss perceptual, NearPerfectConfig config, int reportSamples) {
        if (g == null || initial == null || config == null) throw new IllegalArgumentException("near-perfect needs a generator, an initial inverter and a config");
        if (d == null && (config.advWeight() > 0 || config.globalWeight() > 0))
            throw new IllegalArgumentException("near-perfect needs the checkpoint's discriminator for its adversarial and global cohesion terms, and the model has none "
                    + "(convert the checkpoint with its discriminator, or set --option adv=0 --option global=0)");
        if (reportSamples != 0 && reportSamples < 2) throw new IllegalArgumentException("reportSamples must be 0 or >= 2, got " + reportSamples);
        this.g = g;
        this.d = d;
        this.initial = initial;
        this.perceptual = perceptual;
        this.config = config;
        this.reportSamples = reportSamples;
    }

    @Override
    public String name() {
        return NAME;
    }

    public NearPerfectConfig config() {
        return config;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        InversionResult init = initial.invertOne(target, progress, cancel);
        NearPerfectResult tuned = new NearPerfectTuning(config).tune(g, d, init.ws(), target.image(), progress, cancel);

        Map<String, INDArray> extras = new LinkedHashMap<>(init.extras());
        extras.keySet().removeIf(k -> k.startsWith("delta/"));  // a saved PTI / near-perfect start: its offsets are not ours
        tuned.weightOffsets().forEach((name, x) -> extras.put("delta/" + name, ParameterStore.canonicalLayout(name, x).dup('c')));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("initial_method", init.method());
        cfg.put("initial_mse", init.metrics().mseSigned());
        cfg.put("near_perfect", config.toString());
        cfg.put("stopped_early", tuned.stoppedEarly());
        List<String> notes = new ArrayList<>(init.notes());
        notes.add(String.format(Locale.ROOT, "initial latent (%s): MSE %.5g; near-perfect tuning %d steps%s (%s discriminator), MSE %.5g",
                init.method(), init.metrics().mseSigned(), tuned.steps(), tuned.stoppedEarly() ? " (target MSE reached)" : "",
                config.discriminator().name().toLowerCase(Locale.ROOT), tuned.last(NearPerfectTuning.MSE)));
        if (reportSamples > 0) {
            TuningReport report = TuningReport.measure(g, d, tuned.weightOffsets(), tuned.reconstruction(), target.image(), perceptual, reportSamples, 0);
            report.values().forEach((k, v) -> cfg.put("report_" + k, v));
            cfg.put("report_samples", reportSamples);
            notes.add("drift report on " + reportSamples + " latents: " + report.summary());
        }
        double total = (System.nanoTime() - t0) / 1e9;
        return new InversionResult(NAME, target.name(), LatentSpace.W_PLUS, init.ws(), tuned.reconstruction(), extras, cfg, tuned.history(),
                ReconstructionMetrics.compute(target.image(), tuned.reconstruction(), perceptual),
                new Timing(init.timing().totalSeconds(), total, tuned.steps(), tuned.timing().msPerStep()), notes);
    }

    /** Options of the registry method besides {@link NearPerfectConfig#OPTION_KEYS}. */
    public static final List<String> METHOD_OPTION_KEYS = List.of("encoder", "iterations", "init", "init-steps", "report-samples");

    /**
     * The registry factory: the initial latent from {@code encoder=FILE} (ReStyle, {@code iterations}, default 5 as in
     * the paper), {@code init=FILE|DIR} (a saved result, or an {@code invert --out} folder), or else W+ optimisation
     * for {@code init-steps} (default 200); the tuning settings from the options ({@link NearPerfectConfig#withOptions});
     * {@code steps} overrides the budget; {@code report-samples} (default {@value TuningReport#DEFAULT_SAMPLES}, 0 = none).
     */
    public static Inverter fromContext(Methods.Context c) throws IOException {
        for (String k : c.options().keySet())
            if (!NearPerfectConfig.OPTION_KEYS.contains(k) && !METHOD_OPTION_KEYS.contains(k))
                throw new IllegalArgumentException("near-perfect: unknown option '" + k + "' (known: " + String.join(", ", NearPerfectConfig.OPTION_KEYS)
                        + ", " + String.join(", ", METHOD_OPTION_KEYS) + ")");
        Generator g = c.generator();
        NearPerfectConfig cfg = NearPerfectConfig.defaults().withOptions(c.options(), g.config().imgResolution());
        if (c.steps() != null) cfg = cfg.withMaxSteps(c.steps());
        Inverter init;
        String enc = c.options().get("encoder"), saved = c.options().get("init");
        if (enc != null && saved != null) throw new IllegalArgumentException("near-perfect: give encoder=FILE or init=FILE|DIR, not both");
        if (enc != null) {
            init = new EncoderInverter(g, Encoder.load(Path.of(enc)),
                    Methods.intOption(c, "iterations", 5), c.perceptual());
        } else if (saved != null) {
            init = new SavedResult(Path.of(saved), g.config().numWs(), g.config().wDim());
        } else {
            init = new WPlusProjector(g, c.perceptual(),
                    WPlusConfig.defaults().withSteps(Methods.intOption(c, "init-steps", 200)));
        }
        Discriminator d = c.discriminator().load();  // also measures the report when the adversarial terms are off
        return new NearPerfectInverter(g, d, init, c.perceptual(), cfg, Methods.intOption(c, "report-samples", TuningReport.DEFAULT_SAMPLES));
    }
}
