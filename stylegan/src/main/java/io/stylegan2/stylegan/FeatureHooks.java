package io.stylegan2.stylegan;

import io.stylegan2.core.ops.Conv2dResample;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The common {@link FeatureHook}s. Masks are {@code [N or 1, 1, H, W]} (broadcast over channels)
 * or full {@code [N, C, H, W]}; every hook is exactly the identity for its neutral setting
 * (zero delta, zero mask, identity matrix).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. The hooks are
 * immutable but hold variables of one SameDiff graph, which is not thread-safe.
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
        long[] ms = m.getShape();
        if (ms == null || ms.length != 2 || ms[0] != ms[1])
            throw new IllegalArgumentException("channel mix: matrix must be a square [C, C] variable or constant, got " + java.util.Arrays.toString(ms)
                    + " (for a computed matrix without a static shape, give its size: channelMix(m, channels))");
        return channelMix(m, ms[0]);
    }

    /** {@link #channelMix(SDVariable)} for a computed {@code [channels, channels]} matrix (e.g. a masked variable) whose shape the graph does not know statically. */
    public static FeatureHook channelMix(SDVariable m, long channels) {
        long[] ms = {channels, channels};
        return new FeatureHook() {
            @Override
            public SDVariable apply(String block, SDVariable x) {
                // conv weight [1,1,inC,outC] with W[0,0,i,o] = M[o,i]
                SDVariable w = x.getSameDiff().permute(m, 1, 0).reshape(1, 1, ms[0], ms[0]);
                return Conv2dResample.conv(x, w, 1, 1, 1, 0, 0);
            }

            @Override
            public void validate(String block, long channels) {
                if (ms[0] != channels)
                    throw new IllegalArgumentException("channel mix after " + block + ": matrix " + java.util.Arrays.toString(ms) + " does not match its " + channels + " channels");
            }
        };
    }

}
