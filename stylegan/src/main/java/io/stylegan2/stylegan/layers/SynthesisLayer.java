package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.Broadcast;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One modulated 3x3 conv layer of the synthesis network (NVlabs {@code SynthesisLayer}): the
 * {@code affine} maps a W row to styles {@code [N, in]}; a modulated, demodulated conv (with 2x
 * upsampling for a block's {@code conv0}); noise {@code * noise_strength}; bias, leaky ReLU, gain
 * {@code sqrt(2)} and {@code conv_clamp}.
 *
 * <p>Parameters: {@code <prefix>.weight [out, in, 3, 3]}, {@code .bias [out]},
 * {@code .noise_strength []}, {@code .noise_const [r, r]}, {@code .affine.weight [in, w_dim]},
 * {@code .affine.bias [in]}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class SynthesisLayer extends ModulatedLayer {
    private final int up;

    /**
     * @param prefix     parameter prefix, e.g. {@code synthesis.b16.conv0}
     * @param id         layer id in the network, e.g. {@code b16.conv0} (names the random-noise placeholder)
     * @param resolution output resolution r
     * @param up         1, or 2 for the upsampling {@code conv0}
     */
    public SynthesisLayer(String prefix, String id, int inChannels, int outChannels, int wDim, int resolution, int up,
                          List<Double> filter, Double convClamp) {
        super(prefix, id, inChannels, outChannels, 3, wDim, resolution, filter, convClamp);
        this.up = up;
    }

    public int up() {
        return up;
    }

    @Override
    void ownShapes(Map<String, long[]> m) {
        m.put(param("noise_strength"), new long[]{});
        m.put(param("noise_const"), new long[]{resolution(), resolution()});
    }

    /** The affine's output. */
    @Override
    public SDVariable styles(ParamBinding p, SDVariable w) {
        return affine(p, w);
    }

    /**
     * {@code x [N, in, r/up, r/up]} to {@code [N, out, r, r]}.
     *
     * @param styles the output of {@link #styles}
     * @param mode   noise without an explicit map: {@code CONST} adds {@code noise_const}, {@code RANDOM}
     *               a placeholder {@code noise/<id>} of shape {@code [N, 1, r, r]}, {@code NONE} nothing
     * @param noise  explicit noise ({@code [r, r]} or {@code [N, 1, r, r]}), overrides the mode; or null
     * @param padder the padding hook (receives the modulated input), or null for zero padding
     * @param batch  static batch size, -1 if unknown
     */
    public SDVariable forward(ParamBinding p, SDVariable x, SDVariable styles, NoiseMode mode, SDVariable noise,
                              UnaryOperator<SDVariable> padder, long batch) {
        return forward(p, x, styles, mode, noise, padder, batch, null);
    }

    /**
     * As {@link #forward(ParamBinding, SDVariable, SDVariable, NoiseMode, SDVariable, UnaryOperator, long)},
     * recording the input, styles, modulated conv output and output in {@code activations} (see
     * {@link ModulatedLayer}) when it is not null; the graph is the same.
     */
    public SDVariable forward(ParamBinding p, SDVariable x, SDVariable styles, NoiseMode mode, SDVariable noise,
                              UnaryOperator<SDVariable> padder, long batch, Map<String, SDVariable> activations) {
        SDVariable conv = modulatedConv(p, x, styles, up, true, padder, batch);
        SDVariable y = conv;
        int res = resolution();
        if (noise != null) {
            y = y.add(noise.mul(p.get(param("noise_strength"))));
        } else if (mode == NoiseMode.CONST) { // [res, res] as [1, 1, res, res]
            SDVariable c = p.get(param("noise_const")).mul(p.get(param("noise_strength")));
            y = Broadcast.add(y, p.sd().reshape(c, 1, 1, res, res), 1, 1, res, res);
        } else if (mode == NoiseMode.RANDOM) {
            SDVariable r = p.sd().placeHolder("noise/" + id(), p.store().dataType(), -1, 1, res, res);
            y = Broadcast.add(y, r.mul(p.get(param("noise_strength"))), -1, 1, res, res);
        }
        SDVariable out = LayerOps.biasAct(y, p.get(param("bias")), Activation.LRELU, Activation.LRELU.defaultGain(), convClamp());
        record(activations, x, styles, conv, out);
        return out;
    }

    /**
     * Backward-data from {@code gOut = dL/dout} and the activations recorded by the forward (no padder): the
     * activation's backward (leaky ReLU, gain {@code sqrt(2)}, clamp; the noise adds a constant, the bias
     * drops out), then the modulated conv with demodulation (and the up-sampling conv's adjoint for
     * {@code conv0}) and the affine, see {@link ModulatedLayer#backward}.
     */
    public Gradients backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable gOut) {
        SDVariable gConv = Adjoints.throughActivation(gOut, Adjoints.recorded(activations, id()), Activation.LRELU,
                Activation.LRELU.defaultGain(), convClamp());
        return backward(p, activations, gConv, up, true, 1.0);
    }
}
