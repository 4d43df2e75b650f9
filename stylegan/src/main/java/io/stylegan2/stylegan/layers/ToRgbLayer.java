package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.Layers;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.Map;

/**
 * ToRGB (NVlabs {@code ToRGBLayer}): styles from the {@code affine} times the weight gain
 * {@code 1/sqrt(in)}, a 1x1 modulated conv without demodulation, bias (linear) and
 * {@code conv_clamp}.
 *
 * <p>Parameters: {@code <prefix>.weight [img_channels, in, 1, 1]}, {@code .bias [img_channels]},
 * {@code .affine.weight [in, w_dim]}, {@code .affine.bias [in]}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class ToRgbLayer extends ModulatedLayer {
    /**
     * @param prefix     parameter prefix, e.g. {@code synthesis.b16.torgb}
     * @param id         layer id in the network, e.g. {@code b16.torgb}
     * @param resolution the block's resolution r
     */
    public ToRgbLayer(String prefix, String id, int inChannels, int outChannels, int wDim, int resolution, List<Double> filter, Double convClamp) {
        super(prefix, id, inChannels, outChannels, 1, wDim, resolution, filter, convClamp);
    }

    /** {@code 1 / sqrt(in)}, applied to the styles. */
    public double weightGain() {
        return Layers.convWeightGain(inChannels(), 1);
    }

    /** The affine's output times the weight gain. */
    @Override
    public SDVariable styles(ParamBinding p, SDVariable w) {
        return affine(p, w).mul(weightGain());
    }

    /** {@code x [N, in, r, r]} to {@code [N, img_channels, r, r]}; {@code batch} static batch size or -1. */
    public SDVariable forward(ParamBinding p, SDVariable x, SDVariable styles, long batch) {
        return forward(p, x, styles, batch, null);
    }

    /**
     * As {@link #forward(ParamBinding, SDVariable, SDVariable, long)}, recording the input, styles, conv output and
     * output in {@code activations} (see {@link ModulatedLayer}) when it is not null; the graph is the same.
     */
    public SDVariable forward(ParamBinding p, SDVariable x, SDVariable styles, long batch, Map<String, SDVariable> activations) {
        SDVariable y = modulatedConv(p, x, styles, 1, false, null, batch);
        SDVariable out = LayerOps.biasAct(y, p.get(param("bias")), Activation.LINEAR, 1.0, convClamp());
        record(activations, x, styles, y, out);
        return out;
    }

    /**
     * Backward-data from {@code gOut = dL/dout} and the activations recorded by the forward: the clamp's mask
     * (the bias drops out), the 1x1 modulated conv without demodulation, the weight gain of the styles and the
     * affine, see {@link ModulatedLayer#backward}.
     */
    public Gradients backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable gOut) {
        SDVariable gConv = Adjoints.throughActivation(gOut, Adjoints.recorded(activations, id()), Activation.LINEAR, 1.0, convClamp());
        return backward(p, activations, gConv, 1, false, weightGain());
    }
}
