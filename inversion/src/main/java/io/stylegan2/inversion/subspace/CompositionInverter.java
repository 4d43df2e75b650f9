package io.stylegan2.inversion.subspace;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.stylegan.FeatureHooks;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Inversion by multi-code feature composition ({@link FeatureComposition}) on the engine: the codes
 * (and, for mGANprior, the channel importances) are the graph's trainables, the main synthesis runs
 * from the last code with the block's output replaced by the composition ({@link FeatureHooks#replace}),
 * and the loop, the result codec and the metrics are the engine's. All codes start at {@code w_avg}.
 * <ul>
 *   <li>{@link #pmsfc}: {@code K * codesPerCluster} codes masked by their subspace, plus the base code.</li>
 *   <li>{@link #mGanPrior}: {@code n} codes with trained channel importances, initialised {@code 1/n}.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Immutable; {@link #invertOne} builds its own graph per call, so one
 * inverter may serve several threads (the {@code Generator} serialises its calls).
 */
public final class CompositionInverter implements Inverter {
    /** Registry names. */
    public static final String PMSFC = "pmsfc", MGANPRIOR = "mganprior";

    /** The objective: pixel MSE + perceptual on the composed image, or the released PmSFC code's {@code 0.01 MSE(composed) + MSE(base alone)}. */
    public enum Loss { RECONSTRUCTION, RELEASED }

    /**
     * @param steps            Adam steps
     * @param learningRate     Adam's rate (constant)
     * @param mseWeight        weight of the pixel MSE ([-1, 1] images)
     * @param perceptualWeight weight of the perceptual distance, when one is given
     * @param loss             the objective
     */
    public record Settings(int steps, double learningRate, double mseWeight, double perceptualWeight, Loss loss) {
        public Settings {
            if (steps < 1 || !(learningRate > 0) || mseWeight < 0 || perceptualWeight < 0)
                throw new IllegalArgumentException("steps >= 1, learning rate > 0 and weights >= 0 needed");
            Objects.requireNonNull(loss, "loss");
        }
    }

    private final String name;
    private final Generator g;
    private final Optional<PerceptualLoss> perceptual;
    private final String block;
    private final INDArray fixedWeights;   // [n, C] or null: trained importances
    private final int codes;
    private final Settings settings;

    private CompositionInverter(String name, Generator g, Optional<PerceptualLoss> perceptual, String block, INDArray fixedWeights, int codes, Settings settings) {
        this.name = name;
        this.g = Objects.requireNonNull(g, "generator");
        this.perceptual = Objects.requireNonNull(perceptual, "perceptual");
        this.block = block;
        SelfExpressiveLayer.resolution(g.config(), block);
        this.fixedWeights = fixedWeights;
        this.codes = codes;
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** PmSFC with the subspaces of {@code s}: {@code codesPerCluster} codes per subspace plus the base code. */
    public static CompositionInverter pmsfc(Generator g, Optional<PerceptualLoss> perceptual, Subspaces s, int codesPerCluster, Settings settings) {
        int ch = g.config().channelsAt(SelfExpressiveLayer.resolution(g.config(), s.block()));
        if (s.labels().length != ch) throw new IllegalArgumentException("subspaces of " + s.block() + " have " + s.labels().length + " channels, the generator " + ch);
        if (codesPerCluster < 1) throw new IllegalArgumentException("codes per cluster must be >= 1, got " + codesPerCluster);
        int n = s.clusters() * codesPerCluster + 1;
        INDArray w = Nd4j.zeros(DataType.FLOAT, n, ch);
        for (int k = 0; k < s.clusters(); k++)
            for (int j = 0; j < codesPerCluster; j++) w.putRow(k * codesPerCluster + j, s.mask(k));
        w.putRow(n - 1, Nd4j.ones(DataType.FLOAT, ch));
        return new CompositionInverter(PMSFC, g, perceptual, s.block(), w, n, settings);
    }

    /** mGANprior with {@code n} codes at {@code block}, channel importances trained from {@code 1/n}. */
    public static CompositionInverter mGanPrior(Generator g, Optional<PerceptualLoss> perceptual, String block, int n, Settings settings) {
        if (n < 1) throw new IllegalArgumentException("mganprior needs at least one code, got " + n);
        return new CompositionInverter(MGANPRIOR, g, perceptual, block, null, n, settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) {
        long t0 = System.nanoTime();
        GeneratorConfig cfg = g.config();
        target.requireFits(cfg);
        int res = SelfExpressiveLayer.resolution(cfg, block), ch = cfg.channelsAt(res);
        DataType dt = g.params().dataType();
        List<String> notes = new ArrayList<>();

        MethodGraph.Builder b = MethodGraph.builder(g).paramPrefix("G/").scope(name + "/").target(target.image());
        SameDiff sd = b.sd();
        INDArray one = WPlus.one(g.wAvg(), cfg, "w_avg").castTo(dt);
        SDVariable codesVar = sd.var(name + "/codes", Nd4j.concat(0, Collections.nCopies(codes, one).toArray(new INDArray[0])).dup('c'));
        SDVariable weights = fixedWeights != null ? sd.constant(name + "/weights", fixedWeights.castTo(dt).reshape(codes, ch, 1, 1))
                : sd.var(name + "/weights", Nd4j.valueArrayOf(new long[]{codes, ch, 1, 1}, 1.0 / codes, dt));
        SynthesisNetwork.Output pre = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), "pre/G/"), codesVar, NoiseMode.CONST,
                SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
        SDVariable f = FeatureComposition.compose(pre, weights, block);
        SDVariable base = FeatureComposition.rows(codesVar, codes - 1, codes, 3);
        List<String> trainables = new ArrayList<>(List.of(codesVar.name()));
        if (fixedWeights == null) trainables.add(weights.name());
        MethodGraph mg = b.latent(base).hooks(SynthesisHooks.builder().feature(block, FeatureHooks.replace(f)).build()).trainable(trainables).build();

        CompositeLoss.Builder lb = mg.loss();
        if (settings.loss() == Loss.RELEASED) {
            SDVariable baseImage = FeatureComposition.rows(pre.image(), codes - 1, codes, 4);
            lb.add("mse", 0.01, Pixelwise.mse(mg.image(), mg.target())).add("mse_base", 1.0, Pixelwise.mse(baseImage, mg.target()));
            notes.add("loss as the released PmSFC code: 0.01 MSE(composed) + MSE(base code alone)");
        } else {
            lb.add("mse", settings.mseWeight(), Pixelwise.mse(mg.image(), mg.target()));
            if (perceptual.isPresent() && target.channels() == 3) {
                lb.add("perceptual", settings.perceptualWeight(), perceptual.get().distance(mg.image(), mg.target(), target.resolution(), target.resolution()).mean());
                notes.add("perceptual term: " + perceptual.get().name());
            } else {
                notes.add(perceptual.isEmpty() ? "no perceptual distance supplied: MSE only" : "grayscale target: perceptual term skipped, MSE only");
            }
        }
        CompositeLoss loss = lb.build();
        double setup = Results.seconds(t0);
        OptimisationLoop.Result run = mg.loop(loss, mg.adam(0.9, 0.999, 1e-8)).task(name + " " + target.name()).steps(settings.steps())
                .schedule(Schedule.constant(settings.learningRate())).run(progress, cancel);

        SDVariable fBase = FeatureComposition.rows(pre.blockFeatures().get(block), codes - 1, codes, 4);
        Map<String, INDArray> out = sd.output(Map.of(), f.name(), fBase.name());
        INDArray codesValue = codesVar.getArr().dup();
        INDArray weightsValue = weights.getArr().reshape(codes, ch).dup();
        Latent latent = Latent.wPlus(FeatureComposition.code(codesValue, codes - 1).dup(), cfg)
                .withFeatureOffsets(Map.of(block, out.get(f.name()).sub(out.get(fBase.name()))));
        Map<String, INDArray> extras = new LinkedHashMap<>();
        extras.put(FeatureComposition.CODES, codesValue);
        extras.put(FeatureComposition.WEIGHTS, weightsValue);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("block", block);
        config.put("codes", codes);
        config.put("steps", settings.steps());
        config.put("learning_rate", settings.learningRate());
        config.put("loss", settings.loss().name().toLowerCase(java.util.Locale.ROOT));
        config.put("weights", fixedWeights != null ? "subspace masks + base" : "trained importances");
        notes.add(String.format(java.util.Locale.ROOT, "%d codes composed at %s (%s)", codes, block, config.get("weights")));
        return Results.finish(name, target, g, new Reconstruction(latent, io.stylegan2.stylegan.HookState.CONST, Map.of(), extras), perceptual, config,
                run.history(), setup, run.steps(), 1000 * run.seconds() / settings.steps(), notes, t0);
    }
}
