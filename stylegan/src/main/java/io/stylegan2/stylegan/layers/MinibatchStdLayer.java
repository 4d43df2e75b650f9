package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.MinibatchStd;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Minibatch standard deviation (NVlabs {@code MinibatchStdLayer}): appends {@code F} feature maps
 * holding, per group of {@code G = min(group_size, N)} images, the mean over {@code C/F} channels
 * and the pixels of the per-pixel standard deviation across the group. No parameters.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its {@code forward} and
 * {@code backward} add ops to their input's SameDiff, which is not thread-safe: build one graph
 * from one thread.
 */
public final class MinibatchStdLayer {
    private final int groupSize;
    private final int numChannels;
    private final int channels;
    private final int resolution;

    /**
     * @param groupSize   {@code mbstd_group_size}
     * @param numChannels {@code mbstd_num_channels} (F)
     * @param channels    input channels C (a multiple of F)
     * @param resolution  input resolution (4 in the epilogue)
     */
    public MinibatchStdLayer(int groupSize, int numChannels, int channels, int resolution) {
        this.groupSize = groupSize;
        this.numChannels = numChannels;
        this.channels = channels;
        this.resolution = resolution;
    }

    public int numChannels() {
        return numChannels;
    }

    /** The effective group size {@code min(group_size, n)}; a clear error if it does not divide {@code n}. */
    public long group(long n) {
        long g = Math.min(groupSize, n);
        if (n % g != 0) throw new IllegalArgumentException("minibatch stddev: batch " + n + " is not divisible by group size " + g);
        return g;
    }

    /** {@code [n, C, H, W]} to {@code [n, C + F, H, W]}. */
    public SDVariable forward(SDVariable x, long n) {
        return MinibatchStd.minibatchStd(x, (int) group(n), numChannels, n);
    }

    /**
     * Backward-data. With G = min(group, N), n = N/G groups, F channels of c = C/F each (sample
     * {@code i = gi * n + j} is member gi of group j), {@code d = x - mean_G x} and
     * {@code s = sqrt(mean_G d^2 + 1e-8)} per group/channel/pixel, the feature is
     * {@code m[j, f] = mean_{c,h,w} s}, broadcast to the F extra maps of every member. With
     * {@code go} the gradient of the {@code C+F}-channel output and
     * {@code gm[j, f] = sum_{gi, h, w} go[gi*n + j, C + f, h, w]}:
     * {@code gx = go[:, :C] + gm[j, f] / (c H W) * d / (G s)}. (The exact derivative also subtracts
     * the group mean of the second term; that mean is {@code (..) * mean_G d = 0}, so it is dropped.)
     *
     * @param x  the layer input {@code [N, C, H, W]}
     * @param go the gradient of its output {@code [N, C + F, H, W]}
     */
    public SDVariable backward(SDVariable x, SDVariable go, long n) {
        SameDiff sd = x.getSameDiff();
        long g = group(n);
        int c = channels, nf = numChannels;
        long groups = n / g, cPer = c / nf, h = resolution, w = resolution;
        SDVariable y = sd.reshape(x, g, groups, nf, cPer, h, w);
        SDVariable dev = y.sub(sd.mean(y, true, 0));                                      // d = x - mean_G x
        SDVariable std = sd.math().sqrt(sd.mean(dev.mul(dev), true, 0).add(1e-8));        // s, [1, n, F, c, H, W]
        SDVariable goX = sd.stridedSlice(go, new long[] {0, 0, 0, 0}, new long[] {n, c, h, w}, new long[] {1, 1, 1, 1});
        SDVariable goM = sd.stridedSlice(go, new long[] {0, c, 0, 0}, new long[] {n, c + nf, h, w}, new long[] {1, 1, 1, 1});
        SDVariable gm = sd.sum(sd.reshape(goM, g, groups, nf, h, w), 0, 3, 4);            // [n, F]
        gm = sd.reshape(gm, 1, groups, nf, 1, 1, 1);
        SDVariable gy = dev.div(std).mul(gm).mul(1.0 / ((double) g * cPer * h * w));
        return goX.add(sd.reshape(gy, n, c, h, w));
    }
}
