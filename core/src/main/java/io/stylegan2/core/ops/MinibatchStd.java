package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Minibatch standard deviation layer (NVlabs {@code MinibatchStdLayer}):
 * {@code [N, C, H, W] -> [N, C + F, H, W]}.
 *
 * <p>With {@code G = min(groupSize, N)} and {@code F = numChannels}: samples are split into groups
 * by {@code x.reshape(G, N/G, F, C/F, H, W)} (so sample {@code i} belongs to group {@code i mod N/G});
 * per group the standard deviation over its G members ({@code sqrt(var + 1e-8)}, population
 * variance) is averaged over the C/F channels and all pixels, giving F values per group, which are
 * appended as F constant feature maps to every member. N must be divisible by G and C by F.
 *
 * <p>Shapes may be dynamic (G is computed at run time as {@code min(groupSize, N)}); then a
 * non-divisible N fails at run time inside the reshape. Pass {@code batchSize} (the static N) to
 * get the check, with a clear message, at graph build time.
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread.
 */
public final class MinibatchStd {
    private static final String OP = "minibatchStd";

    private MinibatchStd() {}

    /** Uses the static shape of x for the build-time checks when SameDiff knows it. */
    public static SDVariable minibatchStd(SDVariable x, int groupSize, int numChannels) {
        long[] s = Shapes.staticShapeOrNull(x);
        return minibatchStd(x, groupSize, numChannels, s != null && s.length == 4 ? s[0] : -1);
    }

    /**
     * @param x           {@code [N, C, H, W]}
     * @param groupSize   group size (G = min(groupSize, N))
     * @param numChannels F, number of appended feature maps (divides C)
     * @param batchSize   the static N if known (checked against groupSize), else -1
     * @return {@code [N, C + F, H, W]}
     */
    public static SDVariable minibatchStd(SDVariable x, int groupSize, int numChannels, long batchSize) {
        if (groupSize < 1 || numChannels < 1) throw new IllegalArgumentException(OP + ": groupSize and numChannels must be >= 1, got " + groupSize + ", " + numChannels);
        long[] s = Shapes.staticShapeOrNull(x);
        if (s != null) {
            if (s.length != 4) throw new IllegalArgumentException(OP + ": x must be [N, C, H, W], got " + Arrays.toString(s));
            if (s[1] > 0 && s[1] % numChannels != 0)
                throw new IllegalArgumentException(OP + ": channels " + s[1] + " of x " + Arrays.toString(s) + " not divisible by numChannels " + numChannels);
        }
        if (batchSize > 0) {
            long g = Math.min(groupSize, batchSize);
            if (batchSize % g != 0)
                throw new IllegalArgumentException(OP + ": batch size " + batchSize + " is not divisible by the group size min(" + groupSize + ", " + batchSize + ") = " + g);
        }
        SameDiff sd = x.getSameDiff();
        long f = numChannels;
        SDVariable shp = sd.shape(x);                                                   // [4] int64
        SDVariable n = slice(shp, 0, 1), c = slice(shp, 1, 2), hw = slice(shp, 2, 4);
        SDVariable g = batchSize > 0 ? longs(sd, Math.min(groupSize, batchSize)) : sd.math().min(n, longs(sd, groupSize));
        SDVariable minus1 = longs(sd, -1), fv = longs(sd, f);
        SDVariable cPer = sd.math().floorDiv(c, fv);

        SDVariable y = sd.reshape(x, sd.concat(0, g, minus1, fv, cPer, hw));           // [G, n, F, c, H, W]
        y = y.sub(sd.mean(y, true, 0));                                                // deviation from group mean
        y = sd.mean(sd.math().square(y), 0);                                            // [n, F, c, H, W] variance
        y = sd.math().sqrt(y.add(1e-8));                                                // std
        y = sd.mean(y, 2, 3, 4);                                                        // [n, F]
        y = sd.reshape(y, 1, -1, f, 1, 1);                                              // [1, n, F, 1, 1]
        SDVariable groups = sd.math().floorDiv(n, g);
        SDVariable ones = sd.fill(sd.concat(0, g, groups, fv, hw), x.dataType(), 1.0); // [G, n, F, H, W]
        y = sd.reshape(y.mul(ones), sd.concat(0, n, fv, hw));                           // [N, F, H, W], sample i gets group i mod n
        return sd.concat(1, x, y);
    }

    private static SDVariable slice(SDVariable v, long from, long to) {
        return v.getSameDiff().stridedSlice(v, new long[] {from}, new long[] {to}, new long[] {1});
    }

    private static SDVariable longs(SameDiff sd, long... v) {
        return sd.constant(Nd4j.createFromArray(v));
    }
}
