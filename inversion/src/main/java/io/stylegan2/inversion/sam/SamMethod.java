package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.inversion.engine.InitialLatent;
import io.stylegan2.stylegan.Generator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sam} method ({@link SamInverter}): spatially-adaptive multilayer selection. Needs an
 * invertibility network ({@code invertibility=FILE} from {@code train-invertibility}; the embedded
 * Fashion-MNIST model has one shipped, {@link InvertibilityNetwork#fashionMnist32}); segments
 * from label maps ({@code segments=PNG|FOLDER}) or BoofCV superpixels ({@code segmenter=slic|fh04},
 * {@code regions}, {@code weight}, {@code min-size}); results render with {@link SamRenderer}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class SamMethod extends MethodProvider<SamMethod.Options> {

    /**
     * @param invertibility the invertibility network (none: the shipped one, for the embedded Fashion-MNIST model only)
     * @param segments      label PNG, or folder of {@code <name>.png}; none: superpixels
     * @param segmenter     superpixel algorithm when no label maps are given
     * @param regions       SLIC: superpixels asked for
     * @param weight        SLIC: spatial weight (BoofCV's default 200); FH04: threshold K (300)
     * @param minSize       FH04: smallest segment in pixels
     * @param tau           SAM's threshold (none: the network's default, {@link InvertibilityNetwork#defaultTau}: 0.225 for LPIPS maps)
     * @param tauSweep      more thresholds to invert and report: {@code a,b,c} or {@code from:to:step} (may add {@code ,1} for pure W+)
     * @param encoder       an encoder for the initial W+, one pass (none: W+ optimisation of {@code init-steps})
     * @param initSteps     W+ optimisation steps of the initial code
     * @param steps         joint optimisation steps (SAM: 1001)
     * @param learningRate  peak learning rate (SAM: 0.05)
     * @param mseWeight        pixel MSE weight
     * @param perceptualWeight LPIPS weight (RGB targets, when LPIPS weights are given)
     * @param priorWeight      Gaussian-prior weight (summed over rows)
     * @param deltaWeight      delta-term weight
     * @param featureWeight    feature-offset regulariser weight per space
     */
    public record Options(Path invertibility, Path segments, SuperpixelSegmenter.Algorithm segmenter, int regions, Double weight, int minSize,
                          Double tau, String tauSweep, Path encoder, int initSteps, int steps, double learningRate,
                          double mseWeight, double perceptualWeight, double priorWeight, double deltaWeight, double featureWeight) {
        static Options defaults() {
            JointInversion.Settings s = JointInversion.Settings.sam(1001);
            return new Options(null, null, SuperpixelSegmenter.Algorithm.SLIC, SuperpixelSegmenter.DEFAULT_REGIONS, null, SuperpixelSegmenter.DEFAULT_MIN_SIZE,
                    null, null, null, 500, s.steps(), s.learningRate(), s.mseWeight(), s.perceptualWeight(), s.priorWeight(), s.deltaWeight(), s.featureWeight());
        }
    }

    public SamMethod() {
        super(SamInverter.NAME, "SAM: per-segment choice of W+ or a feature space by a trained invertibility network, then joint inversion "
                + "(option invertibility=FILE from train-invertibility; segments=PNG|FOLDER or superpixels)", Options.defaults());
    }

    @Override
    public Inverter create(MethodContext c, Options o) throws Exception {
        InvertibilityNetwork net;
        if (o.invertibility() == null) {
            net = InvertibilityNetwork.fashionMnist32();
            if (!net.trainedFor(c.generator()))
                throw new IllegalArgumentException("sam needs --option invertibility=FILE for this model (the shipped network is for the embedded Fashion-MNIST model): "
                        + "train one with train-invertibility (see inversion/SAM.md)");
        } else {
            net = InvertibilityNetwork.load(o.invertibility());
            if (net.metadata().containsKey(InvertibilityNetwork.META_GENERATOR) && !net.trainedFor(c.generator()))
                org.slf4j.LoggerFactory.getLogger(SamMethod.class).warn("sam: {} was trained for another generator; its predictions may not fit this one", o.invertibility());
        }
        Segmenter seg = o.segments() != null ? new LabelMapSegmenter(o.segments())
                : new SuperpixelSegmenter(o.segmenter(), o.regions(),
                o.weight() != null ? o.weight() : o.segmenter() == SuperpixelSegmenter.Algorithm.SLIC ? SuperpixelSegmenter.DEFAULT_SLIC_WEIGHT : SuperpixelSegmenter.DEFAULT_FH04_K,
                o.minSize());
        Optional<Inverter> initial = o.encoder() == null ? Optional.empty()
                : Optional.of(InitialLatent.inverter(SamInverter.NAME, c, o.encoder(), 1, null, "wplus", null, java.util.Map.of()));
        JointInversion.Settings joint = new JointInversion.Settings(c.stepsOr(o.steps()), o.learningRate(), o.mseWeight(), o.perceptualWeight(),
                o.priorWeight(), o.deltaWeight(), o.featureWeight());
        return new SamInverter(c.generator(), c.perceptual(), net, seg, initial,
                new SamInverter.Settings(o.tau() != null ? o.tau() : net.defaultTau(), parseTaus(o.tauSweep()), o.initSteps(), joint));
    }

    /** {@code a,b,c} or {@code from:to:step} (inclusive, rounded to 1e-9), or a mix separated by commas; none/empty: no sweep. */
    public static List<Double> parseTaus(String spec) {
        List<Double> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) return out;
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            try {
                if (p.contains(":")) {
                    String[] r = p.split(":");
                    if (r.length != 3) throw new IllegalArgumentException("a range is from:to:step, got '" + p + "'");
                    double from = Double.parseDouble(r[0]), to = Double.parseDouble(r[1]), step = Double.parseDouble(r[2]);
                    if (!(step > 0) || to < from) throw new IllegalArgumentException("a range needs step > 0 and to >= from, got '" + p + "'");
                    for (int i = 0; from + i * step <= to + 1e-9; i++) out.add(Math.round((from + i * step) * 1e9) / 1e9);
                } else {
                    out.add(Double.parseDouble(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tau-sweep: not a number in '" + p + "'");
            }
        }
        return out;
    }

    @Override
    public Renderer renderer(Generator g, Reconstruction r) {
        return new SamRenderer(g, r);
    }
}
