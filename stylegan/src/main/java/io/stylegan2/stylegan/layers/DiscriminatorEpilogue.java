package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.List;
import java.util.Map;

/**
 * The discriminator's 4x4 epilogue (NVlabs {@code DiscriminatorEpilogue}, unconditional): minibatch
 * standard deviation, {@code conv} (3x3, leaky ReLU), flatten, {@code fc} (leaky ReLU) and
 * {@code out} (linear), one logit per image.
 *
 * <p>Parameters (prefix {@code b4}): {@code conv.weight [C4, C4 + mbstd_num_channels, 3, 3]},
 * {@code conv.bias [C4]}, {@code fc.weight [C4, 16 C4]}, {@code fc.bias [C4]},
 * {@code out.weight [1, C4]}, {@code out.bias [1]}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class DiscriminatorEpilogue implements Layer {
    private static final int RES = 4;
    private final int channels;
    private final MinibatchStdLayer mbstd;
    private final Conv2dLayer conv;
    private final FullyConnectedLayer fc;
    private final FullyConnectedLayer out;

    /**
     * @param channels C4, the channels at 4x4
     */
    public DiscriminatorEpilogue(int channels, int mbstdGroupSize, int mbstdNumChannels, List<Double> filter, Double convClamp) {
        this.channels = channels;
        this.mbstd = new MinibatchStdLayer(mbstdGroupSize, mbstdNumChannels, channels, RES);
        this.conv = new Conv2dLayer("b4.conv", channels + mbstdNumChannels, channels, 3, true, Activation.LRELU, 1, filter, convClamp, 1.0);
        this.fc = new FullyConnectedLayer("b4.fc", channels * RES * RES, channels, Activation.LRELU, 1.0);
        this.out = new FullyConnectedLayer("b4.out", channels, 1, Activation.LINEAR, 1.0);
    }

    @Override
    public String prefix() {
        return "b4";
    }

    @Override
    public Map<String, long[]> parameterShapes() {
        return Layer.shapesOf(List.of(conv, fc, out));
    }

    /**
     * {@code [n, C4, 4, 4]} to logits {@code [n, 1]}; {@code activations} receives {@code b4.conv},
     * {@code b4.fc} and {@code b4.out} (the logits).
     */
    public SDVariable forward(ParamBinding p, SDVariable x, long n, Map<String, SDVariable> activations) {
        x = mbstd.forward(x, n);
        x = conv.forward(p, x);
        activations.put(conv.prefix(), x);
        x = x.reshape(n, (long) channels * RES * RES);
        x = fc.forward(p, x);
        activations.put(fc.prefix(), x);
        x = out.forward(p, x);
        activations.put(out.prefix(), x);
        return x;
    }

    /**
     * Backward-data from {@code gLogits = dL/dlogits [n, 1]}: out, fc, the flatten undone by a
     * reshape, conv, minibatch stddev.
     *
     * @param x the epilogue's input {@code [n, C4, 4, 4]} (the last block's output)
     * @return {@code dL/dx}
     */
    public SDVariable backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable x, SDVariable gLogits, long n) {
        SDVariable g = out.backward(p, Adjoints.recorded(activations, out.prefix()), gLogits);
        g = fc.backward(p, Adjoints.recorded(activations, fc.prefix()), g);
        g = p.sd().reshape(g, n, channels, RES, RES);
        g = conv.backward(p, Adjoints.recorded(activations, conv.prefix()), g, RES);
        return mbstd.backward(x, g, n);
    }
}
