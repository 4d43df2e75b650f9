package io.stylegan2.stylegan;

import io.stylegan2.stylegan.layers.DiscriminatorBlock;
import io.stylegan2.stylegan.layers.DiscriminatorEpilogue;
import io.stylegan2.stylegan.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 discriminator ({@code architecture='resnet'}): {@code fromrgb} at full resolution,
 * then per block {@code conv0} (3x3), {@code conv1} (3x3, FIR + stride-2 downsampling) and a 1x1
 * downsampling {@code skip}, summed with gain {@code sqrt(1/2)}; the 4x4 epilogue appends the
 * minibatch standard deviation, then {@code conv} (3x3), {@code fc} and {@code out} give one logit
 * per image {@code [N, 1]}. Composes {@link DiscriminatorBlock}s and a {@link DiscriminatorEpilogue}
 * (which own the parameters, see {@link io.stylegan2.stylegan.layers}); {@link #inputGradient} gives
 * {@code d D / d img} as an explicit graph (for the R1 penalty).
 *
 * <p>The minibatch-stddev group is {@code min(mbstd_group_size, N)}, so graphs depend on N and are
 * cached per batch size.
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (one at a time per instance); the
 * {@code build} methods only add ops to the caller's SameDiff, which is not thread-safe. No thread
 * may mutate the shared {@link #params()} arrays.
 */
public final class Discriminator implements AutoCloseable {
    private final DiscriminatorConfig cfg;
    private final ParameterStore params;
    private final List<DiscriminatorBlock> blocks;
    private final DiscriminatorEpilogue epilogue;
    private final Map<Long, SameDiff> graphs = new HashMap<>();

    private Discriminator(DiscriminatorConfig cfg, ParameterStore params) {
        this.cfg = cfg;
        this.params = params;
        this.blocks = blocks(cfg);
        this.epilogue = epilogue(cfg);
        validate();
    }

    public static Discriminator create(DiscriminatorConfig cfg, Map<String, INDArray> canonical) {
        return create(cfg, canonical, DataType.FLOAT);
    }

    public static Discriminator create(DiscriminatorConfig cfg, Map<String, INDArray> canonical, DataType dataType) {
        return new Discriminator(cfg, ParameterStore.fromCanonical(canonical, dataType));
    }

    /** Loads the discriminator of a native model file; a clear error if the file has none. */
    public static Discriminator load(Path file) throws IOException {
        NativeModel m = NativeModel.read(file);
        if (m.discriminator() == null || m.discriminatorConfig() == null)
            throw new IOException(file + ": the model file holds no discriminator");
        return create(m.discriminatorConfig(), m.discriminator());
    }

    public DiscriminatorConfig config() {
        return cfg;
    }

    public ParameterStore params() {
        return params;
    }

    public long parameterCount() {
        return params.count("");
    }

    /** Logits {@code [N, 1]} for images {@code [N, img_channels, R, R]}. */
    public synchronized INDArray logits(INDArray img) {
        Generator.checkShape("discriminator input", img, -1, cfg.imgChannels(), cfg.imgResolution(), cfg.imgResolution());
        long n = img.size(0);
        SameDiff sd = graphs.computeIfAbsent(n, k -> {
            SameDiff g = SameDiff.create();
            SDVariable x = g.placeHolder("img", params.dataType(), k, cfg.imgChannels(), cfg.imgResolution(), cfg.imgResolution());
            build(ParamBinding.frozen(g, params, ""), x).rename("logits");
            return g;
        });
        return sd.output(Map.of("img", img.castTo(params.dataType())), "logits").get("logits");
    }

    /**
     * Builds the discriminator on {@code img} (static batch size needed by the minibatch stddev).
     *
     * @param img {@code [N, img_channels, R, R]}
     * @return logits {@code [N, 1]}
     */
    public SDVariable build(ParamBinding p, SDVariable img) {
        return build(p, img, null);
    }

    /**
     * As {@link #build(ParamBinding, SDVariable)}, also handing out the intermediate activations
     * (for hand-written backward passes such as the R1 penalty's input gradient). When
     * {@code activations} is not null it receives, in forward order:
     * <ul>
     *   <li>every layer's output (after bias, activation, gain and clamp) under its layer id:
     *       {@code b<R>.fromrgb}, {@code b<res>.skip}, {@code b<res>.conv0}, {@code b<res>.conv1},
     *       {@code b4.conv}, {@code b4.fc}, {@code b4.out} (the logits);</li>
     *   <li>every block's output ({@code skip + conv1}) under the block id {@code b<res>} (so
     *       {@code b8} is the input of the minibatch stddev).</li>
     * </ul>
     * The graph is the same as without the map.
     */
    public SDVariable build(ParamBinding p, SDVariable img, Map<String, SDVariable> activations) {
        long[] s = img.getShape();
        if (s == null || s.length != 4 || s[0] <= 0)
            throw new IllegalArgumentException("discriminator input needs a static shape [N, C, H, W] (or use build(p, img, batchSize, activations)), got "
                    + Arrays.toString(s));
        return build(p, img, s[0], activations);
    }

    /**
     * As {@link #build(ParamBinding, SDVariable, Map)} for an input without a static shape (any op
     * output, e.g. a synthesis image: SameDiff M2.1 knows no op-output shapes at build time). The
     * batch size fixes the minibatch-stddev grouping; the input must be
     * {@code [batchSize, img_channels, R, R]} at run time.
     *
     * @param activations null, or a map receiving the activations
     */
    public SDVariable build(ParamBinding p, SDVariable img, long batchSize, Map<String, SDVariable> activations) {
        Map<String, SDVariable> taps = activations == null ? new HashMap<>() : activations;
        if (batchSize <= 0) throw new IllegalArgumentException("discriminator batch size must be > 0, got " + batchSize);
        SDVariable x = img;
        for (DiscriminatorBlock b : blocks) x = b.forward(p, x, taps);
        return epilogue.forward(p, x, batchSize, taps);
    }

    /**
     * The forward on {@code img} and the gradient of its logits with respect to {@code img}.
     *
     * <p><b>Thread safety:</b> Immutable; its variables belong to one SameDiff graph, which is not
     * thread-safe.
     *
     * @param logits        {@code D(img)}, {@code [N, 1]} (the forward graph, reusable by a loss)
     * @param inputGradient {@code d sum(upstream * D(img)) / d img}, {@code [N, C, H, W]}
     * @param activations   the forward's intermediate activations (see {@link #build(ParamBinding, SDVariable, Map)})
     */
    public record InputGradient(SDVariable logits, SDVariable inputGradient, Map<String, SDVariable> activations) {}

    /** {@code D(img)} and {@code d sum(D(img)) / d img}; {@code img} needs a static shape. */
    public InputGradient inputGradient(ParamBinding p, SDVariable img) {
        return inputGradient(p, img, null);
    }

    /**
     * {@code D(img)} and the gradient {@code g = d sum_n (upstream_n D(img)_n) / d img}, built
     * <em>explicitly</em> as a SameDiff graph: the forward is {@link #build(ParamBinding, SDVariable, Map)}
     * itself (same graph, same variables), followed by a hand-written backward pass made of ordinary
     * differentiable ops: each layer's backward-data pass ({@link DiscriminatorEpilogue#backward},
     * then {@link DiscriminatorBlock#backward} from the lowest resolution up), seeded with
     * {@code upstream} (ones: the gradient of the summed logits).
     *
     * <p>SameDiff 1.0.0-M2.1 has no second-order gradients; because {@code g} is an ordinary graph
     * of the parameters, SameDiff's first-order autodiff of any function of {@code g} (such as the R1
     * penalty {@code sum g^2}) gives its gradient with respect to the parameters, i.e. the mixed
     * second derivative. {@code g} equals SameDiff's own first-order gradient to float64 rounding.
     *
     * @param img      {@code [N, img_channels, R, R]}, static shape (the minibatch stddev depends on N)
     * @param upstream {@code [N, 1]} gradient of the logits, or null for ones
     */
    public InputGradient inputGradient(ParamBinding p, SDVariable img, SDVariable upstream) {
        long[] s = img.getShape();
        if (s == null || s.length != 4 || Arrays.stream(s).anyMatch(v -> v <= 0))
            throw new IllegalArgumentException("discriminator input gradient: the input needs a static shape [N, C, H, W], got " + Arrays.toString(s));
        if (s[1] != cfg.imgChannels() || s[2] != cfg.imgResolution() || s[3] != cfg.imgResolution())
            throw new IllegalArgumentException("discriminator input gradient: input " + Arrays.toString(s) + " does not match the config ["
                    + "N, " + cfg.imgChannels() + ", " + cfg.imgResolution() + ", " + cfg.imgResolution() + "]");
        long n = s[0];
        Map<String, SDVariable> acts = new LinkedHashMap<>();
        SDVariable logits = build(p, img, n, acts);
        SDVariable g = upstream != null ? upstream : img.getSameDiff().constant(Nd4j.ones(img.dataType(), n, 1));
        String last = blocks.get(blocks.size() - 1).prefix();
        g = epilogue.backward(p, acts, acts.get(last), g, n);
        for (int i = blocks.size() - 1; i >= 0; i--) g = blocks.get(i).backward(p, acts, g);
        return new InputGradient(logits, g, Collections.unmodifiableMap(acts));
    }

    /** Blocks from img_resolution down to 8 (resnet), as NVlabs' {@code b<res>}. */
    private static List<DiscriminatorBlock> blocks(DiscriminatorConfig cfg) {
        List<DiscriminatorBlock> b = new ArrayList<>();
        for (int res = cfg.imgResolution(); res > 4; res /= 2)
            b.add(new DiscriminatorBlock(res, cfg.channelsAt(res), cfg.channelsAt(res / 2), cfg.imgChannels(), res == cfg.imgResolution(),
                    cfg.resampleFilter(), cfg.convClamp()));
        return List.copyOf(b);
    }

    private static DiscriminatorEpilogue epilogue(DiscriminatorConfig cfg) {
        return new DiscriminatorEpilogue(cfg.channelsAt(4), cfg.mbstdGroupSize(), cfg.mbstdNumChannels(), cfg.resampleFilter(), cfg.convClamp());
    }

    /** Canonical names and shapes of the discriminator's parameters (see {@link CanonicalLayout#discriminator}). */
    static Map<String, long[]> parameterShapes(DiscriminatorConfig cfg) {
        Map<String, long[]> m = Layer.shapesOf(blocks(cfg));
        m.putAll(epilogue(cfg).parameterShapes());
        return m;
    }

    /** The resnet blocks, top resolution first (the layer tier). */
    public List<DiscriminatorBlock> blocks() {
        return blocks;
    }

    public DiscriminatorEpilogue epilogue() {
        return epilogue;
    }

    private void validate() {
        CanonicalLayout.discriminator(cfg).forEach(params::expectCanonicalShape);
    }

    /** NVlabs-style random init in canonical layout (weights N(0,1), biases 0). */
    public static Map<String, INDArray> randomParams(DiscriminatorConfig cfg, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        CanonicalLayout.discriminator(cfg).forEach((name, shape) ->
                m.put(name, name.endsWith(".bias") ? Nd4j.zeros(DataType.FLOAT, shape) : io.stylegan2.core.Seeds.randn(r, DataType.FLOAT, shape)));
        return m;
    }

    @Override
    public synchronized void close() {
        graphs.clear();
    }
}
