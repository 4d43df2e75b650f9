package io.stylegan2.losses;

import io.stylegan2.stylegan.Generator;
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

import java.util.Map;

/**
 * PTI's locality regulariser ("space regulariser", off by default in PTI): keep the tuned
 * generator equal to the original one near, but not at, the pivot.
 * <pre>
 *   w_z = mapping(z, psi = 0.5),  z ~ N(0, I)
 *   w_r = w_p + alpha * (w_z - w_p) / ||w_z - w_p||      (alpha = 30; the norm is over the whole W+ code)
 *   L_loc = l2Weight * mse(G_tuned(w_r), G_orig(w_r)) + perceptualWeight * mean(P(G_orig(w_r), G_tuned(w_r)))
 * </pre>
 * PTI: {@code l2Weight = perceptualWeight = 0.1}, one sample per step, {@code noise_mode='none'},
 * P = LPIPS-AlexNet, the result averaged over samples (the MSE over the batch is that average).
 * The perceptual distance is pluggable ({@code null} = L2 only); it receives
 * {@code (original, tuned)} images {@code [numSamples, C, R, R]} and its per-image values are
 * averaged here.
 *
 * <p>{@link #build} adds a placeholder {@value #WS} {@code [numSamples, num_ws, w_dim]}, the tuned
 * synthesis through the caller's binding (its deltas get the gradients) and the original
 * synthesis through a frozen binding with prefix {@value #ORIGINAL_PREFIX}. Feed
 * {@link #placeholders} each step.
 *
 * <p><b>Thread safety:</b> Immutable; its variables belong to one SameDiff graph, which is not
 * thread-safe: build and run it from one thread. {@link #latents} and {@link #placeholders} are
 * safe from any thread (the {@link Generator} serialises its calls).
 */
public final class Locality {
    /** Name of the W+ placeholder. */
    public static final String WS = "locality/ws";
    /** Prefix of the frozen original generator's constants. */
    public static final String ORIGINAL_PREFIX = "locality/orig/";

    /**
     * @param numSamples       latents per step (PTI 1)
     * @param alpha            distance from the pivot (PTI 30)
     * @param truncationPsi    truncation of {@code w_z} (PTI 0.5)
     * @param l2Weight         weight of the MSE (PTI 0.1)
     * @param perceptualWeight weight of the perceptual distance (PTI 0.1 with LPIPS)
     * @param noiseMode        {@code NONE} (PTI) or {@code CONST}
     */
    public record Config(int numSamples, double alpha, double truncationPsi, double l2Weight, double perceptualWeight, NoiseMode noiseMode) {
        public Config {
            if (numSamples < 1) throw new IllegalArgumentException("locality regulariser needs >= 1 sample, got " + numSamples);
            if (!(alpha > 0)) throw new IllegalArgumentException("locality alpha must be > 0, got " + alpha);
            if (noiseMode == null) noiseMode = NoiseMode.NONE;
            if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("locality regulariser: noise mode RANDOM is not supported");
        }

        /** PTI's {@code hyperparameters.py}: 1 sample, alpha 30, psi 0.5, weights 0.1 / 0.1, no noise. */
        public static Config pti() {
            return new Config(1, 30, 0.5, 0.1, 0.1, NoiseMode.NONE);
        }
    }

    private final Config config;
    private final SDVariable ws, tuned, original, l2, perceptual, loss;

    private Locality(Config config, SDVariable ws, SDVariable tuned, SDVariable original, SDVariable l2, SDVariable perceptual, SDVariable loss) {
        this.config = config;
        this.ws = ws;
        this.tuned = tuned;
        this.original = original;
        this.l2 = l2;
        this.perceptual = perceptual;
        this.loss = loss;
    }

    /**
     * Builds the term in {@code tuned.sd()}.
     *
     * @param g          the generator (its store holds the original weights)
     * @param tuned      the tuned generator's binding (with the {@code WeightOverride} being trained)
     * @param perceptual perceptual distance of {@code (original, tuned)}, or null for the L2 part only
     */
    public static Locality build(Generator g, ParamBinding tuned, Config config, PerceptualLoss perceptual) {
        SameDiff sd = tuned.sd();
        var cfg = g.config();
        SDVariable ws = sd.placeHolder(WS, tuned.store().dataType(), config.numSamples(), cfg.numWs(), cfg.wDim());
        SynthesisNetwork syn = g.synthesisNetwork();
        SDVariable newImg = syn.build(tuned, ws, config.noiseMode(), SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable oldImg = syn.build(ParamBinding.frozen(sd, g.params(), ORIGINAL_PREFIX), ws, config.noiseMode(), SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable l2 = Pixelwise.mse(oldImg, newImg);
        SDVariable loss = l2.mul(config.l2Weight());
        SDVariable p = null;
        if (perceptual != null) {
            int r = cfg.imgResolution();
            p = perceptual.distance(oldImg, newImg, r, r).mean();
            loss = loss.add(p.mul(config.perceptualWeight()));
        }
        return new Locality(config, ws, newImg, oldImg, l2, p, loss);
    }

    /**
     * PTI's latents near the pivot: {@code w_r = w_p + alpha (w_z - w_p) / ||w_z - w_p||} with the
     * norm over each sample's whole W+ code, {@code z} N(0,1) from {@code java.util.Random(seed)}.
     *
     * @param pivot {@code [num_ws, w_dim]}, {@code [1, num_ws, w_dim]} or {@code [w_dim]} / {@code [1, w_dim]} (broadcast to every row)
     * @return {@code [numSamples, num_ws, w_dim]} (the generator's data type)
     */
    public static INDArray latents(Generator g, INDArray pivot, Config config, long seed) {
        var cfg = g.config();
        int n = config.numSamples(), numWs = cfg.numWs(), wDim = cfg.wDim();
        INDArray p = WPlus.one(pivot, cfg, "locality: pivot").castTo(DataType.DOUBLE);
        INDArray wz = g.sampleWs(n, seed, config.truncationPsi()).castTo(DataType.DOUBLE);
        INDArray out = Nd4j.create(DataType.DOUBLE, n, numWs, wDim);
        INDArray p2 = p.reshape(numWs, wDim);
        for (int i = 0; i < n; i++) {
            INDArray dir = wz.slice(i).sub(p2);
            double norm = dir.norm2Number().doubleValue();
            out.slice(i).assign(p2.add(dir.muli(config.alpha() / norm)));
        }
        return out.castTo(g.params().dataType());
    }

    /** {@code {WS: latents(g, pivot, config, seed)}}. */
    public Map<String, INDArray> placeholders(Generator g, INDArray pivot, long seed) {
        return Map.of(WS, latents(g, pivot, config, seed));
    }

    public Config config() {
        return config;
    }

    public SDVariable ws() {
        return ws;
    }

    /** {@code G_tuned(w_r)} {@code [numSamples, C, R, R]}. */
    public SDVariable tunedImage() {
        return tuned;
    }

    /** {@code G_orig(w_r)} {@code [numSamples, C, R, R]}. */
    public SDVariable originalImage() {
        return original;
    }

    /** The unweighted MSE part. */
    public SDVariable l2() {
        return l2;
    }

    /** The unweighted perceptual part (null without a perceptual distance). */
    public SDVariable perceptual() {
        return perceptual;
    }

    /** {@code l2Weight * l2 + perceptualWeight * perceptual} (weights already applied). */
    public SDVariable loss() {
        return loss;
    }
}
