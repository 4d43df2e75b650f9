package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.Layers;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Equalised-learning-rate fully connected layer (NVlabs {@code FullyConnectedLayer}):
 * {@code act(x (W wg)^T + b bg) * act_gain} with {@code wg = lr_multiplier / sqrt(in)},
 * {@code bg = lr_multiplier} and the activation's default gain.
 *
 * <p>Parameters: {@code <prefix>.weight [out, in]}, {@code <prefix>.bias [out]}. Used for the
 * mapping layers ({@code mapping.fc<i>}, leaky ReLU, {@code lr_multiplier}), the affines of the
 * synthesis layers ({@code .affine}, linear) and the discriminator's {@code b4.fc} / {@code b4.out}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class FullyConnectedLayer implements Layer {
    private final String prefix;
    private final int inFeatures;
    private final int outFeatures;
    private final Activation activation;
    private final double lrMultiplier;

    /**
     * @param prefix       parameter prefix, e.g. {@code mapping.fc0}
     * @param inFeatures   {@code in_features}
     * @param outFeatures  {@code out_features}
     * @param activation   {@code activation} (its default alpha and gain)
     * @param lrMultiplier {@code lr_multiplier} (1 except in the mapping network)
     */
    public FullyConnectedLayer(String prefix, int inFeatures, int outFeatures, Activation activation, double lrMultiplier) {
        this.prefix = prefix;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.activation = activation;
        this.lrMultiplier = lrMultiplier;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** {@code lr_multiplier / sqrt(in)}. */
    public double weightGain() {
        return Layers.fcWeightGain(inFeatures, lrMultiplier);
    }

    /** {@code lr_multiplier}. */
    public double biasGain() {
        return lrMultiplier;
    }

    /** The activation's default gain. */
    public double actGain() {
        return activation.defaultGain();
    }

    @Override
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(param("weight"), new long[]{outFeatures, inFeatures});
        m.put(param("bias"), new long[]{outFeatures});
        return m;
    }

    /** {@code x [N, in]} to {@code [N, out]}. */
    public SDVariable forward(ParamBinding p, SDVariable x) {
        return Layers.linear(x, p.get(param("weight")), p.get(param("bias")), weightGain(), biasGain(), activation);
    }

    /**
     * Backward-data: from {@code gOut = dL/dout [N, out]} and the recorded {@code out} of
     * {@link #forward} to {@code dL/dx = (gOut * act'(out)) (W wg)}, {@code [N, in]}.
     */
    public SDVariable backward(ParamBinding p, SDVariable out, SDVariable gOut) {
        SDVariable gz = Adjoints.throughActivation(gOut, out, activation, actGain(), null);
        return p.sd().mmul(gz, p.get(param("weight")).mul(weightGain()));
    }
}
