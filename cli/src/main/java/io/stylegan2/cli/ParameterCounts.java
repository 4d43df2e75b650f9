package io.stylegan2.cli;

import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;

/**
 * Analytic trainable-parameter counts of the NVlabs StyleGAN2 networks (stylegan2-ada-pytorch
 * layout: every layer has a bias, each synthesis conv has a scalar {@code noise_strength}; buffers
 * such as {@code w_avg}, {@code noise_const} and FIR filters are not parameters). For the official
 * 1024&sup2; config-f generator this gives 2,101,248 (mapping) + 28,268,812 (synthesis) =
 * 30,370,060.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads (the static methods are
 * stateless).
 *
 * @param mapping   mapping network
 * @param synthesis synthesis network
 */
public record ParameterCounts(long mapping, long synthesis) {

    public long total() {
        return mapping + synthesis;
    }

    /** Generator parameters for a config. */
    public static ParameterCounts of(GeneratorConfig cfg) {
        long w = cfg.wDim();
        long mapping = 0;
        for (int i = 0; i < cfg.mappingLayers(); i++) {
            long in = i == 0 ? cfg.zDim() : w;
            mapping += in * w + w; // layer_features defaults to w_dim
        }
        long syn = 0;
        for (int res : cfg.blockResolutions()) {
            long c = cfg.channelsAt(res);
            if (res == 4) {
                syn += c * 16;                       // const input [C, 4, 4]
            } else {
                long ci = cfg.channelsAt(res / 2);
                syn += modConv(w, ci, c, 3);          // conv0 (up)
            }
            syn += modConv(w, c, c, 3);               // conv1
            syn += (w * c + c) + cfg.imgChannels() * c + cfg.imgChannels(); // torgb: affine + 1x1 weight + bias
        }
        return new ParameterCounts(mapping, syn);
    }

    /** affine (w -> in, with bias) + weight [out, in, k, k] + bias + noise_strength. */
    private static long modConv(long w, long in, long out, int k) {
        return (w * in + in) + out * in * k * k + out + 1;
    }

    /** Discriminator parameters (resnet architecture, no conditioning). */
    public static long discriminator(DiscriminatorConfig cfg) {
        long p = 0;
        for (int res = cfg.imgResolution(); res > 4; res /= 2) {
            long t = cfg.channelsAt(res), o = cfg.channelsAt(res / 2);
            if (res == cfg.imgResolution()) p += cfg.imgChannels() * t + t; // fromrgb 1x1
            p += t * t * 9 + t;   // conv0
            p += t * o * 9 + o;   // conv1 (down)
            p += t * o;           // skip 1x1, no bias
        }
        long c = cfg.channelsAt(4);
        p += (c + cfg.mbstdNumChannels()) * c * 9 + c; // epilogue conv
        p += c * 16 * c + c;                           // fc
        p += c + 1;                                    // out
        return p;
    }
}
