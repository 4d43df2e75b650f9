package io.stylegan2.benchmarks;

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
 *       resolution {@code r}, including the up-sampling conv0 (counted at output resolution, as a
 *       transposed conv of stride 2 followed by the FIR filter).</li>
 *   <li><b>toRgb</b>: 1&times;1 ToRGB {@code C*c(r)*r*r} per block.</li>
 *   <li><b>fir</b>: the 4&times;4 depthwise FIR filter of each 2&times; up-sampling, at the
 *       output resolution: {@code 16*c(r)*r*r} after conv0 and {@code 16*C*r*r} for the skip
 *       image, for every block above 4&times;4.</li>
 * </ul>
 * Example: z = w = 4, 2 mapping layers, 8&sup2; RGB, channels {4: 2, 8: 1} gives mapping 32,
 * affine 32, modulation 198, conv 2304, toRgb 288, fir 4096, total 6950 MACs.
 */
public final class Flops {
    private Flops() {}

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
                conv += c * ci * 9 * px;
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
}
