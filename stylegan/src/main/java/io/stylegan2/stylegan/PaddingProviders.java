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
        return x -> {
            long[] ms = map.getShape();
            if (ms == null || ms.length != 4) throw new IllegalArgumentException("border map must be [N, C, H+2, W+2], got " + java.util.Arrays.toString(ms));
            INDArray ring = ringMask(ms[2], ms[3], map.dataType());
            SameDiff sd = map.getSameDiff();
            SDVariable r = sd.constant(sd.generateNewVarName("ring", 0), ring);
            return zeroPad1(x).add(map.mul(r));
        };
    }

    /** A learnable border map for a layer: a zero-initialised variable {@code [1, C, H+2, W+2]} named {@code pad/<layer>}. */
    public static SDVariable learnableBorder(SameDiff sd, String layer, long channels, long res, DataType dt) {
        return sd.var("pad/" + layer, Nd4j.zeros(dt, 1, channels, res + 2, res + 2));
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
