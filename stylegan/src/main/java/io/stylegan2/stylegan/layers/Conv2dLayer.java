package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.Layers;
import io.stylegan2.core.ops.Upfirdn2d;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discriminator's convolution layer (NVlabs {@code Conv2dLayer}): a {@code k x k} conv with weight
 * gain {@code 1/sqrt(in k^2)} and padding {@code k/2}, optionally after a FIR low-pass and followed
 * by stride-2 decimation ({@code down = 2}), then bias, activation, gain and clamp:
 * {@code clamp(act(z + b) * act_gain * gain, conv_clamp * gain)}.
 *
 * <p>NVlabs passes {@code gain} to {@code forward(x, gain)}; here it is fixed per layer (the resnet
 * block's {@code conv1} and {@code skip} take {@code sqrt(1/2)}), so that the forward and the
 * backward-data pass use the same one.
 *
 * <p>Parameters: {@code <prefix>.weight [out, in, k, k]}, {@code <prefix>.bias [out]} (if any).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class Conv2dLayer implements Layer {
    private final String prefix;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final boolean bias;
    private final Activation activation;
    private final int down;
    private final List<Double> filter;
    private final double actGain;
    private final Double clamp;

    /**
     * @param prefix      parameter prefix, also the layer's activation id, e.g. {@code b16.conv0}
     * @param kernel      {@code kernel_size}
     * @param bias        whether the layer has a bias ({@code skip} has none)
     * @param down        1, or 2 for FIR + stride-2 downsampling
     * @param filter      1-D FIR taps ({@code resample_filter})
     * @param convClamp   {@code conv_clamp}, null for none
     * @param gain        the {@code gain} of NVlabs' {@code forward(x, gain)}
     */
    public Conv2dLayer(String prefix, int inChannels, int outChannels, int kernel, boolean bias, Activation activation, int down,
                       List<Double> filter, Double convClamp, double gain) {
        if (down != 1 && down != 2) throw new IllegalArgumentException(prefix + ": down must be 1 or 2, got " + down);
        this.prefix = prefix;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.bias = bias;
        this.activation = activation;
        this.down = down;
        this.filter = filter;
        this.actGain = activation.defaultGain() * gain;
        this.clamp = convClamp == null ? null : convClamp * gain;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    /** {@code 1 / sqrt(in k^2)}. */
    public double weightGain() {
        return Layers.convWeightGain(inChannels, kernel);
    }

    /** The activation's default gain times the layer's {@code gain}. */
    public double actGain() {
        return actGain;
    }

    /** {@code conv_clamp * gain}, null for none. */
    public Double clamp() {
        return clamp;
    }

    @Override
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(param("weight"), new long[]{outChannels, inChannels, kernel, kernel});
        if (bias) m.put(param("bias"), new long[]{outChannels});
        return m;
    }

    /** Graph-layout weight shape {@code [k, k, in, out]}. */
    private long[] weightShape() {
        return new long[]{kernel, kernel, inChannels, outChannels};
    }

    /** {@code [N, in, H, W]} to {@code [N, out, H/down, W/down]}. */
    public SDVariable forward(ParamBinding p, SDVariable x) {
        LayerOps.checkInput(prefix, x, inChannels, 0);
        SDVariable b = bias ? p.get(param("bias")) : null;
        SDVariable y = LayerOps.conv(x, p.get(param("weight")), weightShape(), weightGain(), down, filter);
        return LayerOps.biasAct(y, b, activation, actGain, clamp);
    }

    /**
     * Backward-data: from {@code gOut = dL/dout} and the recorded {@code out} of {@link #forward} to
     * {@code dL/dx} for a square {@code inRes x inRes} input. After the activation's backward
     * ({@code Adjoints.throughActivation}), {@code gz} goes through the adjoint of the convolution:
     * <ul>
     *   <li>stride 1, padding k/2: {@code conv_transpose2d(gz, w * wg, stride 1, padding k/2)};</li>
     *   <li>{@code k x k} with down 2 (FIR, then the conv with stride 2 and no padding): forward
     *       {@code y = upfirdn2d(x, f, pad [p0, p1])} with {@code p0 = k/2 + (fw-1)/2},
     *       {@code p1 = k/2 + (fw-2)/2} (NVlabs' arithmetic), then {@code z = conv(y, w * wg, stride 2)};
     *       backward {@code conv_transpose2d(gz, w * wg, stride 2, padding 0)} (its size
     *       {@code (H'-1)*2 + k} equals the size of {@code y}, checked), then the FIR adjoint;</li>
     *   <li>1x1 with down 2 (FIR downsampling by 2, then the 1x1 conv): the 1x1 adjoint, then the
     *       adjoint of {@code upfirdn2d(x, f, down = 2, pad [(fw-1)/2, (fw-2)/2])}.</li>
     * </ul>
     */
    public SDVariable backward(ParamBinding p, SDVariable out, SDVariable gOut, long inRes) {
        int k = kernel;
        SDVariable w = p.get(param("weight")).mul(weightGain());
        SDVariable gz = Adjoints.throughActivation(gOut, out, activation, actGain, clamp);
        if (down == 1) return Adjoints.deconv(gz, w, k, 1, k / 2);
        INDArray f = LayerOps.filter(filter);
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        int pad = k / 2;
        int[] pads = {pad + (fw - down + 1) / 2, pad + (fw - down) / 2, pad + (fh - down + 1) / 2, pad + (fh - down) / 2};
        if (k == 1) // forward: upfirdn2d(x, f, down) then the 1x1 conv
            return Adjoints.upfirdn2dAdjoint(Adjoints.deconv(gz, w, 1, 1, 0), f, 1, down, pads, 1.0, inRes, -1);
        // forward: upfirdn2d(x, f, pad) (no decimation), then the k x k conv with stride down, no padding
        long hy = inRes + pads[2] + pads[3] - fh + 1, wy = inRes + pads[0] + pads[1] - fw + 1;
        long ho = (hy - k) / down + 1, wo = (wy - k) / down + 1;
        if ((ho - 1) * down + k != hy || (wo - 1) * down + k != wy)
            throw new IllegalArgumentException(prefix + ": the strided conv leaves rows unused (" + hy + "x" + wy + " -> " + ho + "x" + wo + "); not supported");
        return Adjoints.upfirdn2dAdjoint(Adjoints.deconv(gz, w, k, down, 0), f, 1, 1, pads, 1.0, inRes, -1);
    }
}
