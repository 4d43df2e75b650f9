package io.stylegan2.converter;

import java.util.List;

/**
 * Choices the weights cannot tell. Values found in the source file itself (NVIDIA pickles'
 * {@code init_kwargs}: {@code lr_multiplier}, {@code conv_clamp}, {@code mbstd_group_size},
 * architecture) take precedence over these.
 *
 * <p><b>Thread safety:</b> Immutable (the filter list is copied); safe to share between threads.
 *
 * @param generator            which generator to convert: {@code "g_ema"} (default; NVIDIA
 *                             {@code G_ema}) or {@code "g"} (NVIDIA {@code G}); case-insensitive
 * @param includeDiscriminator convert the discriminator too when the source has one (default true)
 * @param lrMultiplier         mapping-network learning-rate multiplier (default 0.01)
 * @param mbstdGroupSize       discriminator minibatch-stddev group size (default 4)
 * @param resampleFilter       FIR taps of the resampling filter (default [1,3,3,1])
 * @param convClamp            conv output clamp, null for none (default null)
 * @param allowNonFinite       convert tensors holding NaN or infinity with a warning instead of refusing
 *                             them (default false: such a model draws black or NaN images)
 */
public record ConvertOptions(String generator, boolean includeDiscriminator, double lrMultiplier, int mbstdGroupSize,
                             List<Double> resampleFilter, Double convClamp, boolean allowNonFinite) {

    public ConvertOptions {
        if (generator == null) generator = "g_ema";
        generator = generator.toLowerCase(java.util.Locale.ROOT);
        if (!generator.equals("g_ema") && !generator.equals("g"))
            throw new IllegalArgumentException("generator must be 'g_ema' or 'g', got '" + generator + "'");
        if (!(lrMultiplier > 0) || !Double.isFinite(lrMultiplier)) throw new IllegalArgumentException("lrMultiplier must be finite and > 0, got " + lrMultiplier);
        if (mbstdGroupSize < 1) throw new IllegalArgumentException("mbstdGroupSize must be >= 1");
        resampleFilter = List.copyOf(resampleFilter == null ? List.of(1.0, 3.0, 3.0, 1.0) : resampleFilter);
    }

    /** g_ema, with discriminator, lr 0.01, mbstd group 4, filter [1,3,3,1], no clamp. */
    public static ConvertOptions defaults() {
        return new ConvertOptions("g_ema", true, 0.01, 4, null, null, false);
    }

    /** A copy with another generator choice. */
    public ConvertOptions withGenerator(String g) {
        return new ConvertOptions(g, includeDiscriminator, lrMultiplier, mbstdGroupSize, resampleFilter, convClamp, allowNonFinite);
    }

    /** A copy with or without the discriminator. */
    public ConvertOptions withDiscriminator(boolean include) {
        return new ConvertOptions(generator, include, lrMultiplier, mbstdGroupSize, resampleFilter, convClamp, allowNonFinite);
    }

    /** A copy that converts (true) or refuses (false) tensors holding NaN or infinity. */
    public ConvertOptions withAllowNonFinite(boolean allow) {
        return new ConvertOptions(generator, includeDiscriminator, lrMultiplier, mbstdGroupSize, resampleFilter, convClamp, allow);
    }
}
