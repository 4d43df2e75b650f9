package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Upfirdn2d;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of the synthesis network (NVlabs {@code SynthesisBlock}, {@code architecture='skip'}) at
 * resolution {@code r}, id {@code b<r>}: the learned constant (first block only), {@code conv0}
 * (2x upsampling; not in the first block), {@code conv1}, {@code torgb}; the running RGB image is
 * upsampled (FIR) and the ToRGB output added.
 *
 * <p>Parameters (prefix {@code <network>.b<r>}): {@code const [C, 4, 4]} (first block), then those of
 * the {@link SynthesisLayer}s and the {@link ToRgbLayer}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to the binding's SameDiff, which is not thread-safe: build one graph
 * from one thread ({@link Gradients} holds that graph's variables).
 */
public final class SynthesisBlock implements Layer {
    private final String prefix;
    private final String id;
    private final int resolution;
    private final int channels;
    private final int imgChannels;
    private final List<Double> filter;
    private final SynthesisLayer conv0;
    private final SynthesisLayer conv1;
    private final ToRgbLayer toRgb;

    /**
     * @param network     prefix of the network's parameters ({@code synthesis})
     * @param resolution  block resolution r (4 for the first block)
     * @param inChannels  channels of the previous block; 0 for the first block (NVlabs {@code in_channels == 0})
     * @param outChannels channels at r
     */
    public SynthesisBlock(String network, int resolution, int inChannels, int outChannels, int wDim, int imgChannels,
                          List<Double> filter, Double convClamp) {
        this.id = "b" + resolution;
        this.prefix = network + "." + id;
        this.resolution = resolution;
        this.channels = outChannels;
        this.imgChannels = imgChannels;
        this.filter = filter;
        this.conv0 = inChannels == 0 ? null
                : new SynthesisLayer(prefix + ".conv0", id + ".conv0", inChannels, outChannels, wDim, resolution, 2, filter, convClamp);
        this.conv1 = new SynthesisLayer(prefix + ".conv1", id + ".conv1", outChannels, outChannels, wDim, resolution, 1, filter, convClamp);
        this.toRgb = new ToRgbLayer(prefix + ".torgb", id + ".torgb", outChannels, imgChannels, wDim, resolution, filter, convClamp);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    /** The block id {@code b<r>}. */
    public String id() {
        return id;
    }

    public int resolution() {
        return resolution;
    }

    /** Whether this is the first block (the one with the learned constant). */
    public boolean first() {
        return conv0 == null;
    }

    /** The modulated 3x3 convs in execution order ({@code conv0} unless first, {@code conv1}). */
    public List<SynthesisLayer> convs() {
        List<SynthesisLayer> l = new ArrayList<>(2);
        if (conv0 != null) l.add(conv0);
        l.add(conv1);
        return l;
    }

    public ToRgbLayer toRgb() {
        return toRgb;
    }

    @Override
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        if (first()) m.put(param("const"), new long[]{channels, 4, 4});
        for (SynthesisLayer l : convs()) m.putAll(l.parameterShapes());
        m.putAll(toRgb.parameterShapes());
        return m;
    }

    /**
     * The first block's input {@code [N, C, 4, 4]}: the learned {@code const} (or {@code replacement},
     * {@code [C, 4, 4]} or {@code [N, C, 4, 4]}) broadcast to the batch of {@code ws}.
     */
    public SDVariable constInput(ParamBinding p, SDVariable replacement, SDVariable ws) {
        if (!first()) throw new IllegalStateException(id + " has no constant input");
        SDVariable c = replacement != null ? replacement : p.get(param("const"));
        if (c.getShape() != null && c.getShape().length == 4) return c;
        SDVariable c4 = c.reshape(-1, channels, 4, 4);   // [C,4,4] -> [1,C,4,4]; a computed [N,C,4,4] stays
        // zeros [N,1,1,1] taken from the batch of ws: keeps the batch size dynamic
        SDVariable zeros = ws.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.interval(0, 1)).mul(0.0).reshape(-1, 1, 1, 1);
        return c4.add(zeros);
    }

    /** The running image after this block: {@code rgb} alone, or the FIR-upsampled {@code img} plus {@code rgb}. */
    public SDVariable addImage(SDVariable img, SDVariable rgb) {
        return img == null ? rgb : Upfirdn2d.upsample2d(img, LayerOps.filter(filter), 2, NO_PADDING, imgChannels).add(rgb);
    }

    private static final int[] NO_PADDING = {0, 0, 0, 0};

    /**
     * What a block's backward gives.
     *
     * @param feature gradient of the block's input feature {@code [N, in, r/2, r/2]} (of the constant
     *                input {@code [N, C, 4, 4]} for the first block)
     * @param image   gradient of the running image before the block {@code [N, img_channels, r/2, r/2]};
     *                null for the first block
     * @param w       gradient of each layer's W row {@code [N, w_dim]}, by layer id ({@code torgb},
     *                {@code conv1}, {@code conv0})
     */
    public record Gradients(SDVariable feature, SDVariable image, Map<String, SDVariable> w) {}

    /**
     * Backward-data through the block from the activations its layers recorded in a forward (see
     * {@link io.stylegan2.stylegan.layers.ModulatedLayer}): the running image's gradient {@code gImage}
     * reaches the ToRGB output as it is and the previous image through the adjoint of the FIR
     * up-sampling; the feature gradient is the ToRGB input's plus {@code gFeature} (the next block's), then
     * passes {@code conv1} and {@code conv0}.
     *
     * @param gFeature gradient of the block's output feature from the next block, or null (last block)
     * @param gImage   gradient of the running image after this block {@code [N, img_channels, r, r]}
     */
    public Gradients backward(ParamBinding p, Map<String, SDVariable> activations, SDVariable gFeature, SDVariable gImage) {
        Map<String, SDVariable> w = new LinkedHashMap<>();
        ModulatedLayer.Gradients t = toRgb.backward(p, activations, gImage);
        w.put(toRgb.id(), t.w());
        SDVariable g = gFeature == null ? t.input() : t.input().add(gFeature);
        List<SynthesisLayer> convs = convs();
        for (int i = convs.size() - 1; i >= 0; i--) {
            SynthesisLayer l = convs.get(i);
            ModulatedLayer.Gradients c = l.backward(p, activations, g);
            w.put(l.id(), c.w());
            g = c.input();
        }
        SDVariable gPrev = null;
        if (!first()) {
            INDArray f = LayerOps.filter(filter);
            gPrev = Adjoints.upfirdn2dAdjoint(gImage, f, 2, 1, Upfirdn2d.upsample2dPadding(f, 2, NO_PADDING), 4.0, resolution / 2, imgChannels);
        }
        return new Gradients(g, gPrev, w);
    }
}
