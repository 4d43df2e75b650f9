package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.UnaryOperator;


/**
 * Padding providers for the padding-space hook (PadInv). A padder receives the modulated conv input
 * {@code [N, C, H, W]} and returns {@code [N, C, H+2, W+2]}.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. The padders add
 * ops to their input's SameDiff, which is not thread-safe: build one graph from one thread.
 */
public final class PaddingProviders {
    private PaddingProviders() {}

    /** Zero padding by one pixel: the stock behaviour. */
    public static UnaryOperator<SDVariable> zeros() {
        return PaddingProviders::zeroPad1;
    }

    /**
     * A border map {@code [N or 1, C, H+2, W+2]}: its one-pixel ring replaces the zero padding, its
     * interior is ignored (overwritten by the input). With a zero map this is exactly zero padding.
     */
    public static UnaryOperator<SDVariable> border(SDVariable map) {
        long[] ms = map.getShape();
        if (ms == null || ms.length != 4) throw new IllegalArgumentException("border map must be [N, C, H+2, W+2], got " + java.util.Arrays.toString(ms)
                + " (for a map computed in the graph, give its side: border(map, side))");
        return border(map, (int) ms[2]);
    }

    /**
     * As {@link #border(SDVariable)} for a map whose shape SameDiff does not know statically (an op's
     * output, e.g. an encoder's prediction): {@code [N, C, side, side]} with {@code side = r + 2}.
     */
    public static UnaryOperator<SDVariable> border(SDVariable map, int side) {
        return x -> {
            INDArray ring = ringMask(side, side, map.dataType());
            SameDiff sd = map.getSameDiff();
            String name = map.name() + "/ring";
            SDVariable r = sd.hasVariable(name) ? sd.getVariable(name) : sd.constant(name, ring);
            return zeroPad1(x).add(map.mul(r));
        };
    }

    /** A learnable border map for a layer: a zero-initialised variable {@code [1, C, H+2, W+2]} named {@code pad/<layer>}. */
    public static SDVariable learnableBorder(SameDiff sd, String layer, long channels, long res, DataType dt) {
        return sd.var("pad/" + layer, Nd4j.zeros(dt, 1, channels, res + 2, res + 2));
    }

    /**
     * The layers padding space uses (PadInv's {@code only_pad_even}): the non-upsampling 3x3 convs
     * {@code bR.conv1} with {@code R <= upTo}, coarsest first ({@code b4.conv1, b8.conv1, ...}).
     *
     * @param upTo the finest padded resolution, a power of two >= 4 (PadInv: 32); larger than the
     *             generator's resolution means every such layer
     */
    public static java.util.List<String> paddedLayers(GeneratorConfig cfg, int upTo) {
        if (upTo < 4 || Integer.bitCount(upTo) != 1) throw new IllegalArgumentException("padded resolution must be a power of two >= 4, got " + upTo);
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String l : new SynthesisNetwork(cfg).convLayers())
            if (l.endsWith(".conv1") && SynthesisNetwork.resolutionOf(l) <= upTo) out.add(l);
        return out;
    }

    /** Zero border maps {@code [1, C, r+2, r+2]} (the stock zero padding) for {@link #paddedLayers}, float32. */
    public static java.util.Map<String, INDArray> zeroBorders(GeneratorConfig cfg, int upTo) {
        java.util.Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        for (String l : paddedLayers(cfg, upTo)) {
            int r = SynthesisNetwork.resolutionOf(l);
            m.put(l, Nd4j.zeros(DataType.FLOAT, 1, cfg.channelsAt(r), r + 2, r + 2));
        }
        return m;
    }

    /** Zero padding by one pixel on every side of {@code [N, C, H, W]}. */
    private static SDVariable zeroPad1(SDVariable x) {
        return x.getSameDiff().nn().pad(x, x.getSameDiff().constant(Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {1, 1}, {1, 1}})), 0.0);
    }

    /** {@code [1, 1, h, w]} with ones on the one-pixel ring and zeros inside. */
    static INDArray ringMask(long h, long w, DataType dt) {
        INDArray m = Nd4j.ones(dt, 1, 1, h, w);
        m.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, h - 1), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, w - 1)).assign(0);
        return m;
    }
}
