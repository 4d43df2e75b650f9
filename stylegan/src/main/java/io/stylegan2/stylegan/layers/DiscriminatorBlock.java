package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One resnet block of the discriminator (NVlabs {@code DiscriminatorBlock}, {@code architecture='resnet'})
 * at resolution {@code r}, id {@code b<r>}: {@code fromrgb} (1x1, leaky ReLU; first block only), then
 * {@code skip(x) + conv1(conv0(x))} with {@code skip} a FIR-downsampling 1x1 conv without bias
 * (linear) and {@code conv0} (3x3) and {@code conv1} (3x3, FIR + stride 2) leaky ReLU; {@code skip}
 * and {@code conv1} take gain {@code sqrt(1/2)}.
 *
 * <p>Parameters (prefix {@code b<r>}): {@code fromrgb.weight [tmp, img_channels, 1, 1]},
 * {@code fromrgb.bias [tmp]}, {@code conv0.weight [tmp, tmp, 3, 3]}, {@code conv0.bias [tmp]},
 * {@code conv1.weight [out, tmp, 3, 3]}, {@code conv1.bias [out]}, {@code skip.weight [out, tmp, 1, 1]}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class DiscriminatorBlock implements Layer {
    private final String id;
    private final int resolution;
    private final Conv2dLayer fromRgb;
    private final Conv2dLayer conv0;
    private final Conv2dLayer conv1;
    private final Conv2dLayer skip;

    /**
     * @param resolution   the block's (input) resolution r
     * @param tmpChannels  channels at r ({@code tmp_channels})
     * @param outChannels  channels at r/2 ({@code out_channels})
     * @param imgChannels  image channels (for {@code fromrgb})
     * @param first        whether the block reads the image (NVlabs {@code in_channels == 0})
     */
    public DiscriminatorBlock(int resolution, int tmpChannels, int outChannels, int imgChannels, boolean first,
                              List<Double> filter, Double convClamp) {
        this.id = "b" + resolution;
        this.resolution = resolution;
        double half = Math.sqrt(0.5);
        this.fromRgb = first ? new Conv2dLayer(id + ".fromrgb", imgChannels, tmpChannels, 1, true, Activation.LRELU, 1, filter, convClamp, 1.0) : null;
        this.conv0 = new Conv2dLayer(id + ".conv0", tmpChannels, tmpChannels, 3, true, Activation.LRELU, 1, filter, convClamp, 1.0);
        this.conv1 = new Conv2dLayer(id + ".conv1", tmpChannels, outChannels, 3, true, Activation.LRELU, 2, filter, convClamp, half);
        this.skip = new Conv2dLayer(id + ".skip", tmpChannels, outChannels, 1, false, Activation.LINEAR, 2, filter, convClamp, half);
    }

    /** The block id {@code b<r>}, also the parameter prefix. */
    @Override
    public String prefix() {
        return id;
    }

    public int resolution() {
        return resolution;
    }

    /** The conv layers in state-dict order: fromrgb (first block only), conv0, conv1, skip. */
    public List<Conv2dLayer> layers() {
        List<Conv2dLayer> l = new ArrayList<>();
        if (fromRgb != null) l.add(fromRgb);
        l.add(conv0);
        l.add(conv1);
        l.add(skip);
        return l;
    }

    @Override
    public Map<String, long[]> parameterShapes() {
        return Layer.shapesOf(layers());
    }

    /**
     * {@code [N, tmp, r, r]} (the image {@code [N, img_channels, r, r]} for the first block) to
     * {@code [N, out, r/2, r/2]}. {@code activations} receives, in forward order, each layer's output
     * under its prefix ({@code b<r>.fromrgb}, {@code b<r>.skip}, {@code b<r>.conv0}, {@code b<r>.conv1})
     * and the block output under {@code b<r>}.
     */
    public SDVariable forward(ParamBinding p, SDVariable x, Map<String, SDVariable> activations) {
        if (fromRgb != null) x = record(activations, fromRgb, fromRgb.forward(p, x));
        SDVariable y = record(activations, skip, skip.forward(p, x));
        x = record(activations, conv0, conv0.forward(p, x));
        x = record(activations, conv1, conv1.forward(p, x));
        SDVariable out = y.add(x);
        activations.put(id, out);
        return out;
    }

    private static SDVariable record(Map<String, SDVariable> activations, Layer l, SDVariable v) {
        activations.put(l.prefix(), v);
        return v;
    }

    /**
     * Backward-data from {@code g = dL/d(block output)} and the activations of {@link #forward}: the
     * residual's two branch gradients add ({@code skip}, and {@code conv1} then {@code conv0}), then
     * {@code fromrgb} for the first block. Returns the gradient of the block's input (the image for
     * the first block).
     */
    public SDVariable backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable g) {
        SDVariable gSkip = skip.backward(p, Adjoints.recorded(activations, skip.prefix()), g, resolution);
        SDVariable gMain = conv1.backward(p, Adjoints.recorded(activations, conv1.prefix()), g, resolution);
        gMain = conv0.backward(p, Adjoints.recorded(activations, conv0.prefix()), gMain, resolution);
        SDVariable gx = gSkip.add(gMain);
        if (fromRgb == null) return gx;
        return fromRgb.backward(p, Adjoints.recorded(activations, fromRgb.prefix()), gx, resolution);
    }
}
