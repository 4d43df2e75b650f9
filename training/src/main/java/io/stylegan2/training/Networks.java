package io.stylegan2.training;

import io.stylegan2.stylegan.CanonicalLayout;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.MappingNetwork;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.ParameterStore;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The three networks of a training run as live arrays (graph layout, canonical names, float32):
 * G and D, which the optimisers update in place and every phase graph reads through
 * {@code ParamBinding.live}, and G_ema, the exponential moving average of G that becomes the
 * trained model. G's buffers ({@code mapping.w_avg}, the {@code noise_const} maps) are not trained:
 * {@code w_avg} tracks the mean {@code w} as NVlabs' mapping network does, and G_ema copies the buffers.
 */
final class Networks {
    final GeneratorConfig gCfg;
    final DiscriminatorConfig dCfg;
    final Map<String, INDArray> g, d, gEma;
    final ParameterStore gStore, dStore;
    final MappingNetwork mapping;
    final SynthesisNetwork synthesis;
    final Discriminator discriminator;

    private Networks(GeneratorConfig gCfg, DiscriminatorConfig dCfg, Map<String, INDArray> g, Map<String, INDArray> d, Map<String, INDArray> gEma) {
        if (gCfg.imgResolution() != dCfg.imgResolution() || gCfg.imgChannels() != dCfg.imgChannels())
            throw new IllegalArgumentException("generator makes " + gCfg.imgChannels() + "x" + gCfg.imgResolution() + " images, the discriminator takes "
                    + dCfg.imgChannels() + "x" + dCfg.imgResolution());
        this.gCfg = gCfg;
        this.dCfg = dCfg;
        this.g = Collections.unmodifiableMap(g);
        this.d = Collections.unmodifiableMap(d);
        this.gEma = Collections.unmodifiableMap(gEma);
        this.gStore = ParameterStore.shared(g, DataType.FLOAT);
        this.dStore = ParameterStore.shared(d, DataType.FLOAT);
        this.mapping = new MappingNetwork(gCfg);
        this.synthesis = new SynthesisNetwork(gCfg);
        this.discriminator = Discriminator.create(dCfg, canonical(d));
    }

    /**
     * From canonical tensors (PyTorch layouts), e.g. a converted checkpoint to fine-tune, or a
     * fresh initialisation. Every tensor of {@link CanonicalLayout} must be present with its shape;
     * a missing {@code mapping.w_avg} starts at zero.
     *
     * @param gEma G_ema's tensors, or null to start G_ema as a copy of G
     */
    static Networks fromCanonical(GeneratorConfig gCfg, DiscriminatorConfig dCfg, Map<String, INDArray> g, Map<String, INDArray> d,
                                  Map<String, INDArray> gEma) {
        return new Networks(gCfg, dCfg, graph("G", CanonicalLayout.generator(gCfg), g, gCfg.wDim()),
                graph("D", CanonicalLayout.discriminator(dCfg), d, 0),
                graph("G_ema", CanonicalLayout.generator(gCfg), gEma == null ? g : gEma, gCfg.wDim()));
    }

    /** NVlabs-style initialisation (weights N(0, 1), mapping weights / lr_multiplier, biases 0, affine biases 1). */
    static Networks random(GeneratorConfig gCfg, DiscriminatorConfig dCfg, long seed) {
        Map<String, INDArray> g = io.stylegan2.stylegan.Generator.randomParams(gCfg, seed);
        return fromCanonical(gCfg, dCfg, g, Discriminator.randomParams(dCfg, seed + 1), null);
    }

    private static Map<String, INDArray> graph(String what, Map<String, long[]> expected, Map<String, INDArray> canonical, int wDim) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        expected.forEach((name, shape) -> {
            INDArray v = canonical.get(name);
            if (v == null && name.equals("mapping.w_avg")) v = Nd4j.zeros(DataType.FLOAT, wDim);
            if (v == null) throw new IllegalArgumentException(what + ": tensor '" + name + "' is missing (expected " + Arrays.toString(shape) + ")");
            if (!Arrays.equals(v.shape(), shape))
                throw new IllegalArgumentException(what + ": tensor '" + name + "' has shape " + Arrays.toString(v.shape()) + ", expected " + Arrays.toString(shape));
            m.put(name, ParameterStore.graphLayout(name, v).castTo(DataType.FLOAT).dup('c'));
        });
        return m;
    }

    /** Whether a generator tensor is trained (not {@code w_avg} nor a {@code noise_const} buffer). */
    static boolean trainedInG(String name) {
        return !name.equals("mapping.w_avg") && !name.endsWith(".noise_const");
    }

    /** Copies of {@code graph}'s tensors in canonical (PyTorch) layout. */
    static Map<String, INDArray> canonical(Map<String, INDArray> graph) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        graph.forEach((k, v) -> m.put(k, ParameterStore.canonicalLayout(k, v).dup('c')));
        return m;
    }

    /**
     * One G_ema update (NVlabs {@code training_loop}): {@code p_ema = lerp(p, p_ema, beta)} for the
     * trained tensors, buffers copied.
     */
    void updateEma(double beta) {
        g.forEach((name, p) -> {
            INDArray e = gEma.get(name);
            if (trainedInG(name)) e.subi(p).muli(beta).addi(p);
            else e.assign(p);
        });
    }

    /** {@code w_avg = lerp(mean(w), w_avg, beta)} with {@code w} the mapped latents of a batch {@code [N, w_dim]}. */
    void trackWAvg(INDArray w, double beta) {
        INDArray avg = g.get("mapping.w_avg");
        INDArray mean = w.castTo(DataType.FLOAT).mean(0);
        avg.subi(mean).muli(beta).addi(mean);
    }

    /** G_ema and D as a native model (the trained generator is G_ema, as NVlabs' snapshots). */
    NativeModel model(Map<String, String> metadata) {
        return new NativeModel(gCfg, dCfg, canonical(gEma), canonical(d), metadata);
    }
}
