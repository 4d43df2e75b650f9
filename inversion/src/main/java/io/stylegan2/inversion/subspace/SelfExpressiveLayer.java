package io.stylegan2.inversion.subspace;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.stylegan.FeatureHooks;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * PmSFC's self-expressive layer (stage 1 of the method, {@code discover_subspace.py}): at a synthesis
 * block, each channel's feature map is written as a combination of the other channels',
 * {@code F~ = (M (1 - I)) F} over the channel axis, with {@code M [C, C]} learned from the features of
 * random latents:
 * <pre>
 * loss = mean (F - F~)^2 + beta0 mean (G_post(F) - G_post(F~))^2 + beta1 mean |M (1 - I)|   (or its square)
 * </pre>
 * {@code F} is the block's output for a batch of random {@code z} (mapped, no truncation, const noise),
 * {@code G_post} the rest of the synthesis network run from the next block
 * ({@link SynthesisNetwork.Start}) with the same W+ rows and the block's running RGB image. {@code M}
 * starts at {@code init} everywhere and is trained with Adam; the generator is frozen. The mixing is
 * {@link FeatureHooks#channelMix}, a 1x1 convolution.
 *
 * <p><b>Thread safety:</b> Stateless; each {@link #train} builds its own graph (the {@code Generator}
 * serialises its calls).
 */
public final class SelfExpressiveLayer {
    private SelfExpressiveLayer() {}

    /** The sparsity term on {@code M (1 - I)}: the released code's L1 (mean |.|) or L2 (mean of squares). */
    public enum Sparsity { L1, L2 }

    /**
     * @param block        synthesis block whose output is expressed, e.g. {@code b8} (not the last block)
     * @param batch        random latents per step (released code: 4)
     * @param steps        Adam steps (README: 200; code default 10 000)
     * @param learningRate Adam's rate (1e-4)
     * @param beta0        weight of the image-consistency term (1)
     * @param beta1        weight of the sparsity term (1)
     * @param sparsity     L1 (README) or L2
     * @param init         initial value of every entry of M (1e-4)
     * @param seed         seed of the random latents
     */
    public record Config(String block, int batch, int steps, double learningRate, double beta0, double beta1, Sparsity sparsity, double init, long seed) {
        public Config {
            Objects.requireNonNull(block, "block");
            Objects.requireNonNull(sparsity, "sparsity");
            if (batch < 1 || steps < 0) throw new IllegalArgumentException("batch must be >= 1 and steps >= 0, got " + batch + ", " + steps);
            if (!(learningRate > 0) || beta0 < 0 || beta1 < 0 || !Double.isFinite(init))
                throw new IllegalArgumentException("learning rate must be > 0, beta0 and beta1 >= 0, init finite");
        }

        /** The released code's settings with the README's 200 steps. */
        public static Config defaults(String block) {
            return new Config(block, 4, 200, 1e-4, 1, 1, Sparsity.L1, 1e-4, 0);
        }

        public Config withSteps(int n) {
            return new Config(block, batch, n, learningRate, beta0, beta1, sparsity, init, seed);
        }

        public Config withSeed(long s) {
            return new Config(block, batch, steps, learningRate, beta0, beta1, sparsity, init, s);
        }
    }

    /**
     * @param matrix  {@code M (1 - I)}, {@code [C, C]} float64: {@code F~[o] = sum_i matrix[o, i] F[i]}
     * @param history per step: {@code feature}, {@code image}, {@code sparsity}, {@code total}, {@code lr}
     */
    public record Result(Config config, INDArray matrix, List<Map<String, Double>> history) {}

    /** The resolution of block {@code bR}, checked against the generator (a block before the last). */
    static int resolution(GeneratorConfig cfg, String block) {
        int res;
        try {
            res = SynthesisNetwork.resolutionOf(block);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("block must be bR with R a synthesis resolution (b8, b16, ...), got '" + block + "'");
        }
        if (!block.equals("b" + res) || res < 4 || res >= cfg.imgResolution() || Integer.bitCount(res) != 1)
            throw new IllegalArgumentException("block must be one of b4 .. b" + cfg.imgResolution() / 2 + " (the rest of the generator runs after it), got '" + block + "'");
        return res;
    }

    /** Trains {@code M} (see the class comment). */
    public static Result train(Generator g, Config c, Progress progress, CancellationToken cancel) {
        GeneratorConfig cfg = g.config();
        int res = resolution(cfg, c.block());
        int ch = cfg.channelsAt(res);
        DataType dt = g.params().dataType();
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, g.params(), "G/");
        SDVariable ws = sd.placeHolder("ws", dt, c.batch(), cfg.numWs(), cfg.wDim());
        SynthesisNetwork syn = g.synthesisNetwork();
        SynthesisNetwork.Output full = syn.build(p, ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
        SDVariable f = full.blockFeatures().get(c.block());
        SDVariable m = sd.var("M", Nd4j.valueArrayOf(new long[]{ch, ch}, c.init(), dt));
        SDVariable offDiagonal = sd.constant("offdiag", Nd4j.ones(dt, ch, ch).subi(Nd4j.eye(ch).castTo(dt)));
        SDVariable mixing = m.mul(offDiagonal);
        SDVariable fHat = FeatureHooks.channelMix(mixing, ch).apply(c.block(), f);
        SDVariable imgHat = syn.build(p, ws, NoiseMode.CONST, SynthesisHooks.NONE,
                new SynthesisNetwork.Start(2 * res, fHat, full.blockImages().get(c.block()))).image();
        SDVariable featureTerm = sd.math.squaredDifference(f, fHat).mean();
        SDVariable imageTerm = sd.math.squaredDifference(full.image(), imgHat).mean();
        SDVariable sparsityTerm = c.sparsity() == Sparsity.L1 ? sd.math.abs(mixing).mean() : mixing.mul(mixing).mean();
        CompositeLoss loss = CompositeLoss.builder(sd).add("feature", 1.0, featureTerm).add("image", c.beta0(), imageTerm)
                .add("sparsity", c.beta1(), sparsityTerm).build();
        SplittableRandom rnd = new SplittableRandom(c.seed());
        OptimisationLoop.Result run = OptimisationLoop.graph(sd, loss, new Adam(sd, List.of("M"), 0.9, 0.999, 1e-8))
                .task("self-expressive layer " + c.block()).steps(c.steps()).schedule(Schedule.constant(c.learningRate()))
                .feed(i -> Map.of("ws", g.mapping(Seeds.randn(rnd, dt, c.batch(), cfg.zDim()))))
                .run(progress, cancel);
        INDArray matrix = sd.getVariable("M").getArr().mul(offDiagonal.getArr()).castTo(DataType.DOUBLE);
        return new Result(c, matrix, run.history());
    }

    /**
     * The relative self-expression error {@code sum (F - C F)^2 / sum F^2} of {@code matrix [C, C]} at
     * {@code block} over the features of {@code samples} latents drawn from {@code seed} (mapped, no
     * truncation, const noise): 1 for the zero matrix, 0 for a perfect expression.
     */
    public static double error(Generator g, String block, INDArray matrix, int samples, long seed) {
        return error(heldOutFeatures(g, block, samples, seed), matrix);
    }

    /**
     * The features {@link #error} measures, {@code X [C, N*H*W]} float64 of block {@code block} for
     * {@code samples} latents drawn from {@code seed}: compute once, then compare several matrices.
     */
    public static INDArray heldOutFeatures(Generator g, String block, int samples, long seed) {
        GeneratorConfig cfg = g.config();
        int ch = cfg.channelsAt(resolution(cfg, block));
        INDArray f = features(g, block, g.mapping(Seeds.randn(seed, g.params().dataType(), samples, cfg.zDim()))).castTo(DataType.DOUBLE);
        return f.permute(1, 0, 2, 3).dup('c').reshape(ch, -1);
    }

    /** The relative self-expression error {@code sum (X - M X)^2 / sum X^2} of {@code matrix [C, C]} on features {@code x [C, M]}. */
    public static double error(INDArray x, INDArray matrix) {
        long ch = x.size(0);
        if (matrix.rank() != 2 || matrix.size(0) != ch || matrix.size(1) != ch)
            throw new IllegalArgumentException("matrix must be [" + ch + ", " + ch + "] for these " + ch + "-channel features, got " + java.util.Arrays.toString(matrix.shape()));
        INDArray diff = x.sub(matrix.castTo(DataType.DOUBLE).mmul(x));
        return diff.mul(diff).sumNumber().doubleValue() / x.mul(x).sumNumber().doubleValue();
    }

    /** Block {@code block}'s output {@code [N, C, r, r]} for W+ codes {@code ws}. */
    static INDArray features(Generator g, String block, INDArray ws) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, g.params(), "G/");
        SDVariable w = sd.placeHolder("ws", g.params().dataType(), ws.size(0), ws.size(1), ws.size(2));
        SDVariable f = g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).blockFeatures().get(block);
        return sd.output(Map.of("ws", ws.castTo(g.params().dataType())), f.name()).get(f.name());
    }

    /**
     * {@code matrix} with its off-diagonal entries shuffled (seeded): the same values and sparsity,
     * no structure; the baseline a learned matrix's {@link #error} is compared with.
     */
    public static INDArray shuffled(INDArray matrix, long seed) {
        int n = (int) matrix.size(0);
        double[][] m = matrix.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[] off = new double[n * (n - 1)];
        int k = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) off[k++] = m[i][j];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = off.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = off[i];
            off[i] = off[j];
            off[j] = t;
        }
        double[][] out = new double[n][n];
        k = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) out[i][j] = off[k++];
        return Nd4j.createFromArray(out);
    }
}
