package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The common {@link FeatureHook}s. Masks are {@code [N or 1, 1, H, W]} (broadcast over channels)
 * or full {@code [N, C, H, W]}; every hook is exactly the identity for its neutral setting
 * (zero delta, zero mask, identity matrix).
 */
public final class FeatureHooks {
    private FeatureHooks() {}

    /** {@code x + delta} ({@code delta} broadcastable to {@code x}). */
    public static FeatureHook add(SDVariable delta) {
        return (block, x) -> x.add(delta);
    }

    /** {@code x + delta * mask}. */
    public static FeatureHook add(SDVariable delta, SDVariable mask) {
        return (block, x) -> x.add(delta.mul(mask));
    }

    /** {@code x * (1 - mask) + feature * mask}: replace inside the mask. */
    public static FeatureHook replace(SDVariable feature, SDVariable mask) {
        return (block, x) -> x.mul(mask.rsub(1.0)).add(feature.mul(mask));
    }

    /** Replace everywhere: the block's output becomes {@code feature}. */
    public static FeatureHook replace(SDVariable feature) {
        return (block, x) -> feature;
    }

    /**
     * Channel mixing {@code x -> M x} with a {@code [C, C]} matrix ({@code y[o] = sum_i M[o,i] x[i]}),
     * the self-expressive layer of PmSFC; computed as a 1x1 convolution. Identity M is exact.
     */
    public static FeatureHook channelMix(SDVariable m) {
        return (block, x) -> {
            long c = x.getShape() != null ? x.getShape()[1] : -1;
            long[] ms = m.getShape();
            if (ms != null && (ms.length != 2 || ms[0] != ms[1] || (c > 0 && ms[0] != c)))
                throw new IllegalArgumentException("channel mix after " + block + ": matrix shape " + java.util.Arrays.toString(ms) + " does not match " + c + " channels");
            // conv weight [1,1,inC,outC] with W[0,0,i,o] = M[o,i]
            SDVariable w = m.transpose().reshape(1, 1, ms[0], ms[0]);
            return Ops.conv1x1(x, w);
        };
    }
}
