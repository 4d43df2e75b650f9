package io.stylegan2.inversion.sam;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.Regularisers;
import io.stylegan2.stylegan.FeatureHooks;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SAM's joint optimisation on the engine ({@link MethodGraph}): a W+ code per image and, for each
 * feature block given a mask, an offset {@code delta_k} (zero at the start) added inside the mask
 * after the block's ToRGB ({@code x + delta_k * m_k}, {@link FeatureHooks#add(SDVariable, SDVariable)}).
 * The loss is SAM's:
 * <pre>
 *   mse * MSE(G, x) + perceptual * LPIPS(G, x)
 *   + prior * sum_i (v_i - mu)^T Sigma^-1 (v_i - mu),  v = lrelu_5(w_i)   (GaussianPrior, double precision)
 *   + delta * sum_{i &ge; 1} ||w_i - w_0||_2                                   (Regularisers.deltaToFirstNorm)
 *   + feature * sum_k MSE(delta_k, 0)                                       (Regularisers.featureOffset)
 * </pre>
 * with Adam (0.9, 0.999) at the StyleGAN projector's ramp ({@link Schedule.NvidiaRamp}, warm-up 5 %,
 * cosine ramp-down over the last 25 %). The prior is a mean over code rows in {@link GaussianPrior},
 * so its weight here is multiplied by {@code num_ws} to equal SAM's sum.
 *
 * <p>A batch of images is optimised in one graph (the single-space inversions that make the
 * invertibility network's training targets): every term is a mean over the batch, so each image
 * gets the gradient of its own loss divided by N, which Adam's normalisation undoes (up to its
 * epsilon) - the same steps as inverting the images one by one. The W+ optimisation that
 * initialises SAM without an encoder is this run with no masks.
 *
 * <p><b>Thread safety:</b> Stateless; each run builds its own graph (the {@link Generator} may be
 * shared).
 */
public final class JointInversion {
    private JointInversion() {}

    /**
     * @param steps            Adam steps (SAM: 1001)
     * @param learningRate     peak rate of the ramp (SAM: 0.05)
     * @param mseWeight        pixel MSE ({@code [-1, 1]} images; SAM: 1)
     * @param perceptualWeight perceptual distance, when one is given and the images are RGB (SAM: 1)
     * @param priorWeight      the Gaussian prior, summed over rows (SAM: 1e-8)
     * @param deltaWeight      the delta term (SAM: 1e-3)
     * @param featureWeight    the feature-offset regulariser per space (SAM: 5)
     */
    public record Settings(int steps, double learningRate, double mseWeight, double perceptualWeight, double priorWeight,
                           double deltaWeight, double featureWeight) {
        public Settings {
            if (steps < 1) throw new IllegalArgumentException("SAM: steps must be >= 1, got " + steps);
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("SAM: learning rate must be > 0, got " + learningRate);
            for (double w : new double[]{mseWeight, perceptualWeight, priorWeight, deltaWeight, featureWeight})
                if (!(w >= 0) || !Double.isFinite(w)) throw new IllegalArgumentException("SAM: loss weights must be finite and >= 0, got " + w);
        }

        /** SAM's settings with {@code steps} steps. */
        public static Settings sam(int steps) {
            return new Settings(steps, 0.05, 1, 1, 1e-8, 1e-3, 5);
        }

        public Settings withSteps(int s) {
            return new Settings(s, learningRate, mseWeight, perceptualWeight, priorWeight, deltaWeight, featureWeight);
        }
    }

    /**
     * @param ws      {@code [N, num_ws, w_dim]} float32
     * @param offsets the trained {@code delta_k} by block, {@code [N, C, r, r]} float32 (unmasked; the image uses {@code delta_k * m_k})
     * @param images  the final reconstructions {@code [N, C, R, R]} float32
     * @param history the loss history
     * @param seconds wall-clock time of the loop
     */
    public record Run(INDArray ws, Map<String, INDArray> offsets, INDArray images, List<Map<String, Double>> history, double seconds) {
        /** Image {@code i}'s offsets {@code [1, C, r, r]}. */
        public Map<String, INDArray> offsets(int i) {
            Map<String, INDArray> m = new LinkedHashMap<>();
            offsets.forEach((b, d) -> m.put(b, d.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup('c')));
            return m;
        }

        /** Image {@code i} of the batch alone (its code, offsets and image; the shared history). */
        public Run image(int i) {
            return new Run(ws(i), offsets(i), images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup('c'), history, seconds);
        }

        /** Image {@code i}'s code {@code [1, num_ws, w_dim]}. */
        public INDArray ws(int i) {
            return ws.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup('c');
        }
    }

    /**
     * @param targets    {@code [N, C, R, R]} in {@code [-1, 1]}
     * @param initWs     {@code [N, num_ws, w_dim]} starting codes
     * @param masks      block to mask {@code [N or 1, 1, r, r]} (values in {@code [0, 1]}); an offset is trained for each; empty for a W+ optimisation
     * @param perceptual the perceptual term, when wanted (RGB targets only)
     * @param prior      the Gaussian prior of the mapping
     */
    public static Run run(Generator g, INDArray targets, INDArray initWs, Map<String, INDArray> masks, Optional<PerceptualLoss> perceptual,
                          GaussianPrior prior, Settings s, String task, Progress progress, CancellationToken cancel) {
        GeneratorConfig cfg = g.config();
        long n = targets.size(0);
        if (targets.rank() != 4 || targets.size(1) != cfg.imgChannels() || targets.size(2) != cfg.imgResolution() || targets.size(3) != cfg.imgResolution())
            throw new IllegalArgumentException("SAM: targets must be [N, " + cfg.imgChannels() + ", " + cfg.imgResolution() + ", " + cfg.imgResolution() + "], got " + Arrays.toString(targets.shape()));
        long[] wsShape = {n, cfg.numWs(), cfg.wDim()};
        if (!Arrays.equals(initWs.shape(), wsShape))
            throw new IllegalArgumentException("SAM: initial codes must be " + Arrays.toString(wsShape) + ", got " + Arrays.toString(initWs.shape()));
        Objects.requireNonNull(prior, "prior");
        DataType dt = g.params().dataType();
        MethodGraph.Builder b = MethodGraph.builder(g).paramPrefix("G/").scope("sam/");
        SameDiff sd = b.sd();
        SDVariable ws = sd.var("sam/ws", initWs.castTo(dt).dup('c'));
        List<String> trainables = new ArrayList<>(List.of(ws.name()));
        Map<String, SDVariable> deltas = new LinkedHashMap<>();
        SynthesisHooks.Builder hooks = SynthesisHooks.builder();
        for (Map.Entry<String, INDArray> e : sorted(masks).entrySet()) {
            String block = e.getKey();
            int r = SynthesisNetwork.resolutionOf(block);
            INDArray m = e.getValue();
            if (m.rank() != 4 || m.size(1) != 1 || m.size(2) != r || m.size(3) != r || (m.size(0) != 1 && m.size(0) != n))
                throw new IllegalArgumentException("SAM: mask of " + block + " must be [" + n + " or 1, 1, " + r + ", " + r + "], got " + Arrays.toString(m.shape()));
            SDVariable delta = sd.var("sam/delta/" + block, Nd4j.zeros(dt, n, cfg.channelsAt(r), r, r));
            deltas.put(block, delta);
            trainables.add(delta.name());
            hooks.feature(block, FeatureHooks.add(delta, sd.constant("sam/mask/" + block, m.castTo(dt).dup('c'))));
        }
        MethodGraph mg = b.latent(ws).hooks(hooks.build()).trainable(trainables).build();
        SDVariable target = sd.constant("sam/target", targets.castTo(dt).dup('c'));
        CompositeLoss.Builder lb = mg.loss().add("mse", s.mseWeight(), Pixelwise.mse(mg.image(), target));
        if (perceptual.isPresent() && cfg.imgChannels() == 3 && s.perceptualWeight() > 0)
            lb.add("perceptual", s.perceptualWeight(), perceptual.get().distance(mg.image(), target, cfg.imgResolution(), cfg.imgResolution()).mean());
        if (s.priorWeight() > 0) lb.add("prior", s.priorWeight() * cfg.numWs(), prior.loss(ws.castTo(DataType.DOUBLE)).castTo(dt));
        if (s.deltaWeight() > 0) lb.add("delta", s.deltaWeight(), Regularisers.deltaToFirstNorm(ws, 1e-12));
        if (s.featureWeight() > 0) deltas.forEach((blk, d) -> lb.add("f_" + blk, s.featureWeight(), Regularisers.featureOffset(d)));
        CompositeLoss loss = lb.build();
        OptimisationLoop.Result r = mg.loop(loss, mg.adam(0.9, 0.999, 1e-8)).task(task).steps(s.steps())
                .schedule(new Schedule.NvidiaRamp(s.learningRate(), 0.05, 0.25, s.steps())).run(progress, cancel);
        INDArray images = sd.output(Map.of(), mg.image().name()).get(mg.image().name()).castTo(DataType.FLOAT).dup('c');
        Map<String, INDArray> offsets = new LinkedHashMap<>();
        deltas.forEach((blk, d) -> offsets.put(blk, d.getArr().castTo(DataType.FLOAT).dup('c')));
        return new Run(ws.getArr().castTo(DataType.FLOAT).dup('c'), offsets, images, r.history(), r.seconds());
    }

    /** The masks ordered by block resolution. */
    static Map<String, INDArray> sorted(Map<String, INDArray> masks) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        masks.keySet().stream().sorted(java.util.Comparator.comparingInt(SynthesisNetwork::resolutionOf)).forEach(k -> out.put(k, masks.get(k)));
        return out;
    }
}
