package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The StyleGAN2 discriminator ({@code architecture='resnet'}): {@code fromrgb} at full resolution,
 * then per block {@code conv0} (3x3), {@code conv1} (3x3, FIR + stride-2 downsampling) and a 1x1
 * downsampling {@code skip}, summed with gain {@code sqrt(1/2)}; the 4x4 epilogue appends the
 * minibatch standard deviation, then {@code conv} (3x3), {@code fc} and {@code out} give one logit
 * per image {@code [N, 1]}.
 *
 * <p>The minibatch-stddev group is {@code min(mbstd_group_size, N)}, so graphs depend on N and are
 * cached per batch size. Thread-safe (calls are serialised).
 */
public final class Discriminator implements AutoCloseable {
    private final DiscriminatorConfig cfg;
    private final ParameterStore params;
    private final Map<Long, SameDiff> graphs = new HashMap<>();

    private Discriminator(DiscriminatorConfig cfg, ParameterStore params) {
        this.cfg = cfg;
        this.params = params;
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
                    + java.util.Arrays.toString(s));
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
        long n = batchSize;
        SDVariable x = null;
        for (int res = cfg.imgResolution(); res > 4; res /= 2) {
            String b = "b" + res;
            int tmp = cfg.channelsAt(res);
            if (x == null) x = tap(taps, b + ".fromrgb", conv(p, b + ".fromrgb", img, cfg.imgChannels(), 1, 1, true, 1.0));
            SDVariable y = tap(taps, b + ".skip", conv(p, b + ".skip", x, tmp, 1, 2, false, Math.sqrt(0.5)));
            x = tap(taps, b + ".conv0", conv(p, b + ".conv0", x, tmp, 3, 1, true, 1.0));
            x = tap(taps, b + ".conv1", conv(p, b + ".conv1", x, tmp, 3, 2, true, Math.sqrt(0.5)));
            x = tap(taps, b, y.add(x));
        }
        int c4 = cfg.channelsAt(4);
        long g = Math.min(cfg.mbstdGroupSize(), n);
        if (n % g != 0) throw new IllegalArgumentException("minibatch stddev: batch " + n + " is not divisible by group size " + g);
        x = Ops.minibatchStd(x, (int) g, cfg.mbstdNumChannels(), n);
        x = tap(taps, "b4.conv", conv(p, "b4.conv", x, c4 + cfg.mbstdNumChannels(), 3, 1, true, 1.0));
        x = x.reshape(n, (long) c4 * 16);
        x = tap(taps, "b4.fc", Ops.fc(x, p.get("b4.fc.weight"), p.get("b4.fc.bias"), 1.0 / Math.sqrt(c4 * 16.0), 1.0, true));
        return tap(taps, "b4.out", Ops.fc(x, p.get("b4.out.weight"), p.get("b4.out.bias"), 1.0 / Math.sqrt(c4), 1.0, false));
    }

    private static SDVariable tap(Map<String, SDVariable> taps, String id, SDVariable v) {
        taps.put(id, v);
        return v;
    }

    /** NVlabs Conv2dLayer: weight gain 1/sqrt(in*k*k), optional FIR downsampling, bias + activation. */
    private SDVariable conv(ParamBinding p, String id, SDVariable x, int in, int k, int down, boolean lrelu, double gain) {
        SDVariable b = p.store().has(id + ".bias") ? p.get(id + ".bias") : null;
        SDVariable y = Ops.conv(x, p.get(id + ".weight"), p.store().get(id + ".weight").shape(), 1.0 / Math.sqrt((double) in * k * k), down, cfg.resampleFilter());
        return Ops.biasAct(y, b, lrelu, (lrelu ? Math.sqrt(2) : 1.0) * gain, cfg.convClamp() == null ? null : cfg.convClamp() * gain);
    }

    private void validate() {
        CanonicalLayout.discriminator(cfg).forEach(params::expectCanonicalShape);
    }

    /** NVlabs-style random init in canonical layout (weights N(0,1), biases 0). */
    public static Map<String, INDArray> randomParams(DiscriminatorConfig cfg, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        CanonicalLayout.discriminator(cfg).forEach((name, shape) ->
                m.put(name, name.endsWith(".bias") ? Nd4j.zeros(DataType.FLOAT, shape) : Nd4j.randn(DataType.FLOAT, shape)));
        return m;
    }

    @Override
    public synchronized void close() {
        graphs.clear();
    }
}
