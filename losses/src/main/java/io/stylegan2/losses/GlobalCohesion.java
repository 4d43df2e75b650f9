package io.stylegan2.losses;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Near-perfect inversion's global cohesion term: the generator side of the adversarial loss on
 * fresh samples of the <em>tuned</em> generator, so that fine-tuning for one image keeps the rest
 * of the manifold realistic:
 * <pre>
 *   L_global = mean_j softplus(-D(G_theta(w_j))),   w_j = mapping(z_j), z_j ~ N(0, I), j = 1..numSamples
 * </pre>
 * <b>Choice.</b> The slides write {@code E_z[log(1 - D(G(z)))]} (minimised by G); we use the
 * non-saturating form {@code -log D(G(z)) = softplus(-logit)} as StyleGAN2 trains its generator:
 * same fixed point, but useful gradients when D confidently rejects a sample (where
 * {@code log(1 - D)} saturates). {@link Adversarial#softplus} is the stable form.
 *
 * <p><b>Graph.</b> {@link #build} adds to the caller's graph a placeholder {@value #WS}
 * {@code [numSamples, num_ws, w_dim]}, the synthesis through the caller's {@link ParamBinding}
 * (the same binding, and so the same {@code WeightOverride} / deltas, as the reconstruction: the
 * gradients reach the tuned weights), no hooks, and the discriminator through its own binding (use
 * another prefix, e.g. {@code "D/"}; frozen unless the caller says otherwise). The mapping is frozen
 * and runs outside the graph: feed {@link #placeholders} each step (fresh {@code z} per step seed).
 * The term is unweighted; add it with {@code config().weight()}:
 * {@code CompositeLoss.builder(sd).add("global", c.config().weight(), c.loss())}.
 *
 * <p><b>Thread safety:</b> Immutable; its variables belong to one SameDiff graph, which is not
 * thread-safe: build and run it from one thread. {@link #sample} and {@link #placeholders} are safe
 * from any thread (the {@link Generator} serialises its calls).
 */
public final class GlobalCohesion {
    /** Name of the W+ placeholder. */
    public static final String WS = "cohesion/ws";

    /**
     * @param numSamples    fresh latents per step ({@code >= 1}; the discriminator's minibatch-std
     *                      group size must divide it or exceed it)
     * @param weight        weight of the term in a composite loss
     * @param truncationPsi truncation of the sampled {@code w_j} (1 = none)
     * @param noiseMode     noise of the sampled images: {@code CONST} or {@code NONE} ({@code RANDOM}
     *                      would clash with other syntheses' {@code noise/<layer>} placeholders)
     */
    public record Config(int numSamples, double weight, double truncationPsi, NoiseMode noiseMode) {
        public Config {
            if (numSamples < 1) throw new IllegalArgumentException("global cohesion needs >= 1 sample, got " + numSamples);
            if (!Double.isFinite(weight)) throw new IllegalArgumentException("global cohesion weight must be finite, got " + weight);
            if (noiseMode == null) noiseMode = NoiseMode.CONST;
            if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("global cohesion: noise mode RANDOM is not supported (use CONST or NONE)");
        }

        /** 4 samples, weight 1, no truncation, const noise (ours to tune: the paper gives none). */
        public static Config defaults() {
            return new Config(4, 1.0, 1.0, NoiseMode.CONST);
        }
    }

    private final Config config;
    private final SDVariable ws, image, logits, loss;

    private GlobalCohesion(Config config, SDVariable ws, SDVariable image, SDVariable logits, SDVariable loss) {
        this.config = config;
        this.ws = ws;
        this.image = image;
        this.logits = logits;
        this.loss = loss;
    }

    /**
     * Builds the term in {@code gParams.sd()}.
     *
     * @param g       the generator (configuration and synthesis network)
     * @param gParams the binding of the tuned generator (shared with the reconstruction)
     * @param d       the discriminator
     * @param dParams the discriminator's binding in the same graph
     */
    public static GlobalCohesion build(Generator g, ParamBinding gParams, Discriminator d, ParamBinding dParams, Config config) {
        SameDiff sd = gParams.sd();
        if (dParams.sd() != sd) throw new IllegalArgumentException("global cohesion: generator and discriminator bindings belong to different graphs");
        var cfg = g.config();
        if (d.config().imgResolution() != cfg.imgResolution() || d.config().imgChannels() != cfg.imgChannels())
            throw new IllegalArgumentException("global cohesion: discriminator takes " + d.config().imgChannels() + "x" + d.config().imgResolution()
                    + " images, generator makes " + cfg.imgChannels() + "x" + cfg.imgResolution());
        int n = config.numSamples();
        SDVariable ws = sd.placeHolder(WS, gParams.store().dataType(), n, cfg.numWs(), cfg.wDim());
        SDVariable img = g.synthesisNetwork().build(gParams, ws, config.noiseMode(), SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable logits = Adversarial.logits(d, dParams, img, n);
        SDVariable loss = Adversarial.generatorLoss(logits);
        return new GlobalCohesion(config, ws, img, logits, loss);
    }

    /**
     * Fresh W+ codes {@code [numSamples, num_ws, w_dim]}: {@code z} N(0,1) from
     * {@code java.util.Random(seed)} (use a new seed every step), mapped with the config's truncation
     * ({@link Generator#sampleWs}).
     */
    public INDArray sample(Generator g, long seed) {
        return g.sampleWs(config.numSamples(), seed, config.truncationPsi());
    }

    /** {@code {WS: sample(g, seed)}}, to merge into a step's placeholders. */
    public Map<String, INDArray> placeholders(Generator g, long seed) {
        return Map.of(WS, sample(g, seed));
    }

    public Config config() {
        return config;
    }

    /** The W+ placeholder {@code [numSamples, num_ws, w_dim]}. */
    public SDVariable ws() {
        return ws;
    }

    /** The sampled images {@code [numSamples, C, R, R]}. */
    public SDVariable image() {
        return image;
    }

    /** Discriminator logits {@code [numSamples, 1]}. */
    public SDVariable logits() {
        return logits;
    }

    /** The unweighted scalar term. */
    public SDVariable loss() {
        return loss;
    }
}
