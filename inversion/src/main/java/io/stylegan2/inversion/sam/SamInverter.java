package io.stylegan2.inversion.sam;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SAM (Parmar et al., CVPR 2022) on the engine: segment the target ({@link Segmenter}), predict
 * each candidate space's error map ({@link InvertibilityNetwork}), pick a space per segment
 * ({@link SpaceSelection}, threshold {@code tau}), initialise W+ (an encoder when given, else a W+
 * optimisation of {@code initSteps} with SAM's loss), then optimise W+ and the masked feature
 * offsets jointly ({@link JointInversion}). The result is a W+F latent (the offsets, unmasked)
 * with the masks in its hook state, the segments, the chosen-space map and the predicted maps as
 * extras; {@link SamRenderer} draws it and its edits.
 *
 * <p>With a {@code tau} sweep, every other threshold is inverted from the same initial code and
 * its reconstruction metrics and space shares go into the result's config ({@code tau_sweep}).
 *
 * <p><b>Thread safety:</b> Not thread-safe (the prior is fitted lazily); use one per thread.
 */
public final class SamInverter implements Inverter {
    private static final Logger log = LoggerFactory.getLogger(SamInverter.class);
    public static final String NAME = "sam";
    /** Extras of a SAM result. */
    public static final String SEGMENTS = "sam/segments", CHOICE = "sam/choice", PREDICTED = "sam/predicted";

    /**
     * @param tau       the threshold of {@link SpaceSelection}
     * @param tauSweep  more thresholds to invert and report (may be empty)
     * @param initSteps W+ optimisation steps of the initial code (when no encoder is given)
     * @param joint     the joint optimisation
     */
    public record Settings(double tau, List<Double> tauSweep, int initSteps, JointInversion.Settings joint) {
        public Settings {
            if (!Double.isFinite(tau)) throw new IllegalArgumentException("SAM: tau must be finite, got " + tau);
            tauSweep = List.copyOf(tauSweep);
            for (double t : tauSweep) if (!Double.isFinite(t)) throw new IllegalArgumentException("SAM: tau sweep values must be finite, got " + tauSweep);
            if (initSteps < 1) throw new IllegalArgumentException("SAM: init steps must be >= 1, got " + initSteps);
            Objects.requireNonNull(joint, "joint settings");
        }
    }

    private final Generator g;
    private final Optional<PerceptualLoss> perceptual;
    private final InvertibilityNetwork network;
    private final Segmenter segmenter;
    private final Optional<Inverter> initial;
    private final Settings settings;
    private final CandidateSpaces spaces;
    private GaussianPrior prior;

    /**
     * @param initial where the initial W+ comes from (e.g. an encoder, through
     *                {@link io.stylegan2.inversion.engine.InitialLatent}); empty: a W+ optimisation of {@code initSteps} with SAM's loss
     */
    public SamInverter(Generator g, Optional<PerceptualLoss> perceptual, InvertibilityNetwork network, Segmenter segmenter, Optional<Inverter> initial, Settings settings) {
        this.g = Objects.requireNonNull(g, "generator");
        this.perceptual = Objects.requireNonNull(perceptual, "perceptual");
        this.spaces = CandidateSpaces.of(g.config());
        this.network = Objects.requireNonNull(network, "invertibility network").requireSpaces(spaces, g.config().imgChannels());
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.initial = Objects.requireNonNull(initial, "initial latent");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The prior of the mapping: {@value GaussianPrior#SAM_SAMPLES} samples, seed 0, fitted on first use. */
    public GaussianPrior prior() {
        if (prior == null) prior = GaussianPrior.fit(g, GaussianPrior.SAM_SAMPLES, 0);
        return prior;
    }

    /** The candidate spaces of this generator. */
    public CandidateSpaces spaces() {
        return spaces;
    }

    /** What the selection starts from: the target's segments and the predicted error maps {@code [1, S, R, R]}. */
    public record Analysis(Segmentation segments, INDArray predicted) {
        /** The per-segment choice at threshold {@code tau}. */
        public SpaceSelection select(CandidateSpaces spaces, double tau) {
            return SpaceSelection.select(spaces, predicted, segments, tau);
        }
    }

    /** Segments the target and predicts each space's error map. */
    public Analysis analyse(Target target) {
        Segmentation seg = segmenter.segment(target.name(), target.image());
        if (seg.height() != target.resolution() || seg.width() != target.resolution())
            throw new IllegalArgumentException("segmenter " + segmenter.describe() + " returned " + seg + " for a " + target.resolution() + " px image");
        return new Analysis(seg, network.predict(target.image()));
    }

    /** The initial W+ code {@code [1, num_ws, w_dim]}: the initial inverter's, else a W+ optimisation from {@code w_avg}. */
    public INDArray initialCode(Target target, Progress progress, CancellationToken cancel) throws Exception {
        if (initial.isPresent()) return initial.get().invertOne(target, progress, cancel).ws().dup('c');
        INDArray init = WPlus.one(g.wAvg(), g.config(), "w_avg");
        return JointInversion.run(g, target.image(), init, Map.of(), perceptual, prior(), settings.joint().withSteps(settings.initSteps()),
                "sam W+ init " + target.name(), progress, cancel).ws();
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        target.requireFits(g.config());
        Analysis analysis = analyse(target);
        SpaceSelection sel = analysis.select(spaces, settings.tau());
        List<String> notes = new ArrayList<>();
        INDArray init = initialCode(target, progress, cancel);
        notes.add(initial.isPresent() ? "W+ initialised by " + initial.get().name() : "W+ initialised by " + settings.initSteps() + " steps of W+ optimisation");
        double setup = Results.seconds(t0);
        JointInversion.Run run = JointInversion.run(g, target.image(), init, sel.masks(), perceptual, prior(), settings.joint(), "sam " + target.name(), progress, cancel);
        Reconstruction rec = reconstruction(g, sel, run, analysis.predicted());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tau", settings.tau());
        config.put("spaces", spaces.names());
        Map<String, Double> fractions = fractions(sel);
        config.put("fractions", fractions);
        config.put("segments", sel.segments().count());
        config.put("segmenter", segmenter.describe());
        config.put("error_map", network.config().errorMap());
        config.put("init", initial.isPresent() ? initial.get().name() : "wplus-" + settings.initSteps());
        config.put("joint", io.stylegan2.inversion.MethodOptions.asMap(settings.joint()));
        notes.add(String.format(Locale.ROOT, "tau %.4g, %d segments (%s); pixels per space %s", settings.tau(), sel.segments().count(), segmenter.describe(), fractions));
        if (perceptual.isPresent() && target.channels() != 3) notes.add("grayscale target: perceptual term skipped, MSE only");
        if (!settings.tauSweep().isEmpty()) config.put("tau_sweep", sweep(target, analysis, init, progress, cancel));
        return Results.finish(NAME, target, g, rec, perceptual, config, run.history(), setup, settings.joint().steps(),
                1000 * run.seconds() / settings.joint().steps(), notes, t0);
    }

    private List<Map<String, Object>> sweep(Target target, Analysis analysis, INDArray init, Progress progress, CancellationToken cancel) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (double tau : settings.tauSweep()) {
            SpaceSelection sel = analysis.select(spaces, tau);
            JointInversion.Run run = JointInversion.run(g, target.image(), init, sel.masks(), perceptual, prior(), settings.joint(),
                    String.format(Locale.ROOT, "sam tau %.4g %s", tau, target.name()), progress, cancel);
            INDArray image = run.images();   // the renderer's image (JointInversionTest)
            ReconstructionMetrics m = perceptual.isPresent() ? ReconstructionMetrics.compute(target.image(), image, perceptual.get())
                    : ReconstructionMetrics.compute(target.image(), image);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tau", tau);
            row.put("fractions", fractions(sel));
            row.put("mse", m.mseSigned());
            row.put("psnr", m.psnr());
            row.put("ssim", m.ssim());
            if (m.perceptual() != null) row.put(m.perceptualName(), m.perceptual());
            rows.add(row);
            log.info("sam {} tau {}: MSE {} fractions {}", target.name(), tau, m.mseSigned(), row.get("fractions"));
        }
        return rows;
    }

    private Map<String, Double> fractions(SpaceSelection sel) {
        Map<String, Double> f = new LinkedHashMap<>();
        double[] x = sel.fractions();
        for (int k = 0; k < x.length; k++) f.put(spaces.name(k), x[k]);
        return f;
    }

    /**
     * The figure of a SAM result ({@code sam_spaces.png} of {@code invert}): target, segments, the chosen
     * space per pixel and the reconstruction, labelled; nothing when {@code r} has no SAM extras.
     *
     * @return whether it was written
     */
    public static boolean writeFigure(INDArray target, Reconstruction r, INDArray image, int minSide,
                                      java.nio.file.Path file) throws java.io.IOException {
        INDArray choice = r.extras().get(CHOICE), segs = r.extras().get(SEGMENTS);
        if (choice == null || segs == null) return false;
        Segmentation seg = Segmentation.fromArray(segs);
        CandidateSpaces spaces = CandidateSpaces.forResolution((int) image.size(2));
        int[] c = new int[spaces.count()];
        for (float v : choice.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat()) c[Math.round(v)]++;
        io.stylegan2.core.io.Figures.writeLabelledRow(List.of(target, io.stylegan2.core.io.Images.fromBufferedImage(seg.toColourImage(), 3),
                        SpaceSelection.colourChoice(choice), image),
                List.of("target", seg.count() + " segments", "space", "reconstruction"),
                "space: " + SpaceSelection.legend(spaces) + " (pixels " + java.util.Arrays.toString(c) + ")", minSide, file);
        return true;
    }

    /**
     * The reconstruction of image 0 of a joint run ({@link JointInversion.Run#image} for others): W+ plus
     * the offsets of the spaces that have pixels in {@code sel} (masks in the hook state), with
     * segments, choice and (when given) predicted maps as extras.
     */
    public static Reconstruction reconstruction(Generator g, SpaceSelection sel, JointInversion.Run run, INDArray predicted) {
        Map<String, INDArray> masks = sel.masks();
        Latent latent = Latent.wPlus(run.ws(0), g.config());
        if (!masks.isEmpty()) {
            Map<String, INDArray> offsets = new LinkedHashMap<>();
            Map<String, INDArray> all = run.offsets(0);
            for (String b : masks.keySet()) {
                if (!all.containsKey(b)) throw new IllegalArgumentException("SAM: the joint run has no offset at " + b + " where the selection has pixels");
                offsets.put(b, all.get(b));
            }
            latent = latent.withFeatureOffsets(offsets);
        }
        HookState hooks = new HookState(NoiseMode.CONST, null, null, null, masks, null);
        Map<String, INDArray> extras = new LinkedHashMap<>();
        extras.put(SEGMENTS, sel.segments().toArray());
        extras.put(CHOICE, sel.choiceMap());
        if (predicted != null) extras.put(PREDICTED, predicted);
        return new Reconstruction(latent, hooks, Map.of(), extras);
    }
}
