package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;

/**
 * Analytic multiply-accumulate (MAC) count of one StyleGAN2 generator forward pass (mapping +
 * synthesis, {@code architecture='skip'}), per sample. FLOPs are {@code 2 * MACs}. Element-wise
 * work (bias, noise, leaky ReLU, clamp, 2nd-moment normalisation, truncation) is not counted.
 *
 * <p>Terms, with {@code c(r)} the channels at resolution {@code r}, {@code w = w_dim},
 * {@code C = img_channels}:
 * <ul>
 *   <li><b>mapping</b>: fully connected layers {@code z_dim -> w -> ... -> w}:
 *       {@code z_dim*w + (layers-1)*w*w}.</li>
 *   <li><b>affine</b>: the style FC of every modulated layer, {@code w * in_channels}: conv1 and
 *       ToRGB of every block, plus conv0 of every block above 4&times;4.</li>
 *   <li><b>modulation</b>: per-sample weight modulation/demodulation of the fused modulated conv:
 *       {@code 3 * out*in*k*k} for 3&times;3 convs (modulate, sum of squares, rescale) and
 *       {@code out*in} for ToRGB (modulate only, no demodulation).</li>
 *   <li><b>conv</b>: 3&times;3 modulated convs {@code out*in*9*r*r} at the block's output
 *       resolution {@code r}; the up-sampling conv0 is a transposed conv of stride 2, whose MACs
 *       are counted at its input resolution, {@code out*in*9*(r/2)*(r/2)} (every input pixel meets
 *       the 9 taps once; the zeros a naive up-sample-then-conv would multiply are not work), followed
 *       by the FIR filter.</li>
 *   <li><b>toRgb</b>: 1&times;1 ToRGB {@code C*c(r)*r*r} per block.</li>
 *   <li><b>fir</b>: the 4&times;4 depthwise FIR filter of each 2&times; up-sampling, at the
 *       output resolution: {@code 16*c(r)*r*r} after conv0 and {@code 16*C*r*r} for the skip
 *       image, for every block above 4&times;4.</li>
 * </ul>
 * Example: z = w = 4, 2 mapping layers, 8&sup2; RGB, channels {4: 2, 8: 1} gives mapping 32,
 * affine 32, modulation 198, conv 1440, toRgb 288, fir 4096, total 6086 MACs.
 *
 * <p>The other methods count single kernels and the discriminator the same way (see each); the
 * backward pass is counted as {@link #BACKWARD_DATA} / {@link #BACKWARD_FULL} times the forward.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread.
 * {@link Breakdown} is immutable.
 */
public final class Flops {
    private Flops() {}

    /**
     * Forward + backward with gradients w.r.t. the inputs only (e.g. the generator w.r.t. W+):
     * forward + data gradient, counted as 2 x the forward MACs.
     */
    public static final int BACKWARD_DATA = 2;
    /** Forward + backward with input and weight gradients: 3 x the forward MACs. */
    public static final int BACKWARD_FULL = 3;
    /** Taps of StyleGAN2's 2-D resampling FIR ([1,3,3,1] outer product). */
    public static final int FIR_TAPS = 16;

    /** MACs per sample, by term; see {@link Flops}. */
    public record Breakdown(long mapping, long affine, long modulation, long conv, long toRgb, long fir) {
        public long total() {
            return mapping + affine + modulation + conv + toRgb + fir;
        }

        /** Synthesis network only (everything but {@link #mapping}). */
        public long synthesis() {
            return total() - mapping;
        }

        /** FLOPs = 2 * MACs. */
        public long flops() {
            return 2 * total();
        }

        public Breakdown times(long batch) {
            return new Breakdown(mapping * batch, affine * batch, modulation * batch, conv * batch, toRgb * batch, fir * batch);
        }
    }

    /** MACs of one generator forward for one sample. */
    public static Breakdown generator(GeneratorConfig cfg) {
        long w = cfg.wDim(), img = cfg.imgChannels();
        long mapping = 0;
        for (int i = 0; i < cfg.mappingLayers(); i++) mapping += (i == 0 ? cfg.zDim() : w) * w;
        long affine = 0, modulation = 0, conv = 0, toRgb = 0, fir = 0;
        for (int r : cfg.blockResolutions()) {
            long c = cfg.channelsAt(r), px = (long) r * r;
            if (r > 4) {
                long ci = cfg.channelsAt(r / 2);
                affine += w * ci;
                modulation += 3 * c * ci * 9;
                conv += c * ci * 9 * (px / 4);   // transposed conv, stride 2, at input resolution
                fir += 16 * c * px + 16 * img * px;
            }
            affine += w * c;              // conv1
            modulation += 3 * c * c * 9;
            conv += c * c * 9 * px;
            affine += w * c;              // torgb
            modulation += img * c;
            toRgb += img * c * px;
        }
        return new Breakdown(mapping, affine, modulation, conv, toRgb, fir);
    }

    /** MACs of one generator forward for a batch. */
    public static Breakdown generator(GeneratorConfig cfg, long batch) {
        return generator(cfg).times(batch);
    }

    /**
     * One modulated conv (NVlabs fused count), {@code up == 1}, square {@code res}: conv
     * {@code n*out*in*k*k*res*res} plus per-sample weight modulation {@code n*out*in*k*k}, times 3
     * with demodulation (modulate, sum of squares, rescale).
     */
    public static long modulatedConv(long n, long in, long out, long k, long res, boolean demodulate) {
        return n * out * in * k * k * res * res + n * (demodulate ? 3 : 1) * out * in * k * k;
    }

    /**
     * {@code conv2d_resample} with {@code up = 2} from {@code res} to {@code 2*res}: the transposed
     * conv {@code n*in*out*k*k*res*res} plus the FIR at the output, {@code n*16*out*(2 res)^2}.
     */
    public static long conv2dResampleUp(long n, long in, long out, long k, long res) {
        return n * in * out * k * k * res * res + n * FIR_TAPS * out * 4 * res * res;
    }

    /**
     * {@code conv2d_resample} with {@code down = 2} from {@code res} to {@code res/2}: the FIR at the
     * input, {@code n*16*in*res^2}, then the stride-2 conv {@code n*in*out*k*k*(res/2)^2}.
     */
    public static long conv2dResampleDown(long n, long in, long out, long k, long res) {
        return n * FIR_TAPS * in * res * res + n * in * out * k * k * (res / 2) * (res / 2);
    }

    /**
     * The 4x4 FIR of {@code upfirdn2d} as NVlabs' reference path runs it (a dense conv over the
     * zero-inserted image): {@code 16 * n*c * outRes^2}. Memory-bound in practice; see {@link Work}.
     */
    public static long upfirdn2d(long n, long c, long outRes) {
        return n * FIR_TAPS * c * outRes * outRes;
    }

    /** {@code m x k} times {@code k x n}: {@code m*n*k} MACs. */
    public static long gemm(long m, long n, long k) {
        return m * n * k;
    }

    /**
     * MACs of one discriminator forward ({@code architecture='resnet'}) per sample, with
     * {@code c(r)} the channels at {@code r} and {@code C} the image channels: fromrgb
     * {@code C*c(R)*R^2}; per block {@code r = R .. 8}: conv0 {@code c(r)^2*9*r^2}, conv1 (FIR at
     * {@code r}, then a stride-2 3x3 conv) {@code 16*c(r)*r^2 + c(r)*c(r/2)*9*(r/2)^2}, skip (FIR
     * with stride 2, then 1x1) {@code 16*c(r)*(r/2)^2 + c(r)*c(r/2)*(r/2)^2}; epilogue conv
     * {@code (c4+mbstd)*c4*9*16}, fc {@code 16*c4*c4}, out {@code c4}. Minibatch stddev,
     * bias and activations are not counted.
     */
    public static long discriminator(DiscriminatorConfig cfg) {
        long img = cfg.imgChannels(), r0 = cfg.imgResolution();
        long macs = img * cfg.channelsAt((int) r0) * r0 * r0;
        for (long r = r0; r > 4; r /= 2) {
            long c = cfg.channelsAt((int) r), co = cfg.channelsAt((int) (r / 2)), h = r / 2;
            macs += c * c * 9 * r * r;
            macs += FIR_TAPS * c * r * r + c * co * 9 * h * h;
            macs += FIR_TAPS * c * h * h + c * co * h * h;
        }
        long c4 = cfg.channelsAt(4);
        macs += (c4 + cfg.mbstdNumChannels()) * c4 * 9 * 16 + 16 * c4 * c4 + c4;
        return macs;
    }

    /**
     * The 13 3x3 convs of the VGG16 trunk LPIPS uses (up to relu5_3) for one image of
     * {@code res x res}: stages of {2, 2, 3, 3, 3} convs with {64, 128, 256, 512, 512} channels at
     * {@code res, res/2, ..., res/16} (2x2 max pools between stages).
     */
    public static long vgg16Features(long res) {
        int[] convs = {2, 2, 3, 3, 3}, ch = {64, 128, 256, 512, 512};
        long macs = 0, in = 3, r = res;
        for (int s = 0; s < 5; s++, r /= 2) {
            for (int i = 0; i < convs[s]; i++) {
                macs += in * ch[s] * 9 * r * r;
                in = ch[s];
            }
        }
        return macs;
    }
}
