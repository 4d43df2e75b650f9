package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.Broadcast;
import io.stylegan2.core.ops.Fold;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the synthesis network's layers share: an {@code affine} ({@link FullyConnectedLayer}, w_dim
 * to in, linear) that maps a W row to styles, and a modulated {@code k x k} conv with
 * {@code <prefix>.weight [out, in, k, k]} and {@code <prefix>.bias [out]}.
 *
 * <p>A forward given an activation map records, under the layer id {@code <id>}: its input
 * ({@code <id>}{@value #INPUT}), styles ({@value #STYLES}), the modulated conv's output before noise
 * and bias ({@value #CONV}) and the layer's output ({@code <id>}); the layer's {@code backward} reads
 * them. The backward passes are ordinary differentiable ops, so a loss of their result (the path
 * length of the W+ gradient) can be differentiated with respect to the parameters by first-order
 * autodiff.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Subclasses' {@code forward}
 * and {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread ({@link Gradients} holds that graph's variables).
 */
public abstract sealed class ModulatedLayer implements Layer permits SynthesisLayer, ToRgbLayer {
    private final String prefix;
    private final String id;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int resolution;
    private final List<Double> filter;
    private final Double convClamp;
    private final FullyConnectedLayer affine;

    /** Suffixes of the recorded activations' keys (after the layer id). */
    public static final String INPUT = ".input", STYLES = ".styles", CONV = ".conv";

    /**
     * What a layer's backward gives.
     *
     * @param input gradient of the layer's input {@code [N, in, r/up, r/up]}
     * @param w     gradient of the layer's W row {@code [N, w_dim]}
     */
    public record Gradients(SDVariable input, SDVariable w) {}

    ModulatedLayer(String prefix, String id, int inChannels, int outChannels, int kernel, int wDim, int resolution,
                   List<Double> filter, Double convClamp) {
        this.prefix = prefix;
        this.id = id;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.resolution = resolution;
        this.filter = filter;
        this.convClamp = convClamp;
        this.affine = new FullyConnectedLayer(prefix + ".affine", wDim, inChannels, Activation.LINEAR, 1.0);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    /** The layer id in the network, e.g. {@code b16.conv0} (hook and W+ row lookups). */
    public String id() {
        return id;
    }

    /** Output resolution r. */
    public int resolution() {
        return resolution;
    }

    int inChannels() {
        return inChannels;
    }

    Double convClamp() {
        return convClamp;
    }

    /** W row {@code [N, w_dim]} to styles {@code [N, in]}. */
    public abstract SDVariable styles(ParamBinding p, SDVariable w);

    /** The affine's output {@code [N, in]}. */
    SDVariable affine(ParamBinding p, SDVariable w) {
        return affine.forward(p, w);
    }

    /** Parameters between the bias and the affine's (none by default). */
    void ownShapes(Map<String, long[]> m) {}

    @Override
    public final Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(param("weight"), new long[]{outChannels, inChannels, kernel, kernel});
        m.put(param("bias"), new long[]{outChannels});
        ownShapes(m);
        m.putAll(affine.parameterShapes());
        return m;
    }

    /** Records a forward's tensors under the layer id (see the class comment); nothing if {@code activations} is null. */
    void record(Map<String, SDVariable> activations, SDVariable x, SDVariable styles, SDVariable conv, SDVariable out) {
        if (activations == null) return;
        activations.put(id + INPUT, x);
        activations.put(id + STYLES, styles);
        activations.put(id + CONV, conv);
        activations.put(id, out);
    }

    /**
     * The backward of the modulated conv and the affine, from {@code gConv = dL/dc} for the recorded conv
     * output {@code c} (before noise and bias) to the gradients of the layer's input {@code x} and W row. With
     * {@code xm = x * s} (s the styles), {@code c = conv(xm, w) * d} and, when demodulating,
     * {@code d = rsqrt(q)}, {@code q = s^2 W2 + 1e-8} ({@code W2 [in, out]} the squared weight summed over the
     * kernel taps):
     * <ul>
     *   <li>{@code gxm = conv^T(gConv * d, w)}, the adjoint of the layer's convolution (with the up-sampling
     *       FIR for {@code up == 2}), whichever formulation the forward took (reference or fused: the same
     *       function);</li>
     *   <li>{@code dL/dx = gxm * s} and {@code dL/ds = sum_hw(gxm * x) + 2 s (gq W2^T)} with
     *       {@code gq = -d^3/2 * sum_hw(gConv * c / d) = -sum_hw(gConv * c) / (2 q)} (the demodulation term,
     *       none without demodulation);</li>
     *   <li>the W row's gradient: {@code dL/ds} times {@code styleGain} (the factor between the affine's
     *       output and the styles) through the affine ({@link FullyConnectedLayer#backward}).</li>
     * </ul>
     */
    Gradients backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable gConv, int up, boolean demodulate, double styleGain) {
        SameDiff sd = p.sd();
        SDVariable x = Adjoints.recorded(activations, id + INPUT), s = Adjoints.recorded(activations, id + STYLES);
        SDVariable w = p.get(param("weight"));
        SDVariable gc = gConv, gsDemod = null;
        if (demodulate) {
            SDVariable c = Adjoints.recorded(activations, id + CONV);
            SDVariable w2 = Fold.ifConstant(w, v -> v.getSameDiff().sum(v.getSameDiff().math().square(v), 0, 1));  // [in, out]
            SDVariable q = sd.mmul(sd.math().square(s), w2).add(1e-8);                                              // [N, out]
            gc = Broadcast.mul(gConv, sd.reshape(sd.math().rsqrt(q), -1, outChannels, 1, 1), -1, outChannels, 1, 1);
            SDVariable gq = sd.sum(gConv.mul(c), 2, 3).div(q).mul(-0.5);                                           // [N, out]
            gsDemod = s.mul(sd.mmul(gq, sd.permute(w2, 1, 0))).mul(2.0);                                           // [N, in]
        }
        SDVariable gxm = up == 1 ? Adjoints.deconv(gc, w, kernel, 1, kernel / 2)
                : Adjoints.convUpAdjoint(gc, w, kernel, up, LayerOps.filter(filter), resolution / up, outChannels);
        SDVariable gx = Broadcast.mul(gxm, sd.reshape(s, -1, inChannels, 1, 1), -1, inChannels, 1, 1);
        SDVariable gs = sd.sum(gxm.mul(x), 2, 3);
        if (gsDemod != null) gs = gs.add(gsDemod);
        if (styleGain != 1.0) gs = gs.mul(styleGain);
        return new Gradients(gx, affine.backward(p, s, gs));
    }

    /** The modulated conv of {@code x} with the layer's weight (see {@link LayerOps#modulatedConv}). */
    SDVariable modulatedConv(ParamBinding p, SDVariable x, SDVariable styles, int up, boolean demodulate, UnaryOperator<SDVariable> padder, long batch) {
        LayerOps.checkInput(prefix, x, inChannels, resolution / up);
        long[] wShape = {kernel, kernel, inChannels, outChannels};
        return LayerOps.modulatedConv(x, p.get(param("weight")), wShape, styles, up, demodulate, padder, filter, batch, resolution / up);
    }
}
