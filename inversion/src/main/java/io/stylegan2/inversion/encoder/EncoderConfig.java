package io.stylegan2.inversion.encoder;

import io.stylegan2.stylegan.GeneratorConfig;

/**
 * Shape of a pSp/ReStyle-style encoder.
 *
 * <p>Input: the target image concatenated with the current reconstruction ({@code 2 * imgChannels}
 * channels, ReStyle). Backbone: a 3x3 stem at full resolution, then one stage per halving down to
 * 4x4 (a strided 3x3 conv, then {@code resBlocks} residual blocks; channels
 * {@code min(maxChannels, baseChannels * 2^stage)}; leaky ReLU 0.2, no normalisation). Feature
 * pyramid: 1x1 laterals of the 4x4, 8x8 and 16x16 maps to {@code headChannels}, summed top-down with
 * nearest 2x upsampling (coarse = 4x4, medium = 8x8, fine = 16x16). Map-to-style heads, one per
 * W+ row group (the first {@code coarseRows} rows read the coarse map, the next {@code mediumRows}
 * the medium map, the rest the fine map): {@code headConvs} strided 3x3 convs, global mean pooling,
 * and a linear layer to {@code rows * wDim}, multiplied by {@code outputScale}. The output is a W+
 * offset added to the current latent (starting at {@code w_avg}).
 *
 * <p>With {@link EncoderBackbone#IR_SE} the stem and every block are pSp/PadInv's IR-SE bottlenecks
 * instead (BatchNorm, PReLU, squeeze-excitation; each stage a stride-2 block then {@code resBlocks}
 * stride-1 blocks). With {@code paddingChannels} set the encoder also predicts PadInv's padding space
 * ({@link EncoderNetwork}): a border map per non-upsampling 3x3 conv up to that resolution and the
 * 4x4 constant input.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param resolution   image size (power of two, at least 16)
 * @param imgChannels  image channels of the generator
 * @param numWs        W+ rows of the generator
 * @param wDim         latent width of the generator
 * @param baseChannels channels of the stem
 * @param maxChannels  channel cap of the backbone
 * @param resBlocks    residual blocks per stage
 * @param headChannels channels of the pyramid and the heads
 * @param headConvs    strided convs per head
 * @param coarseRows   W+ rows predicted from the coarse map
 * @param mediumRows   W+ rows predicted from the medium map
 * @param outputScale  multiplier of the head outputs
 * @param backbone     the blocks ({@link EncoderBackbone#RESIDUAL} when absent, as in files written before it existed)
 * @param paddingChannels empty for a W+ encoder; else the generator's channels at 4, 8, ... px up to the finest
 *                     padded resolution (PadInv: 32): one border map per non-upsampling 3x3 conv at those
 *                     resolutions, and the 4x4 constant input
 */
public record EncoderConfig(int resolution, int imgChannels, int numWs, int wDim,
                            int baseChannels, int maxChannels, int resBlocks, int headChannels, int headConvs,
                            int coarseRows, int mediumRows, double outputScale, EncoderBackbone backbone, java.util.List<Integer> paddingChannels) {

    public EncoderConfig {
        if (resolution < 16 || Integer.bitCount(resolution) != 1)
            throw new IllegalArgumentException("encoder: resolution must be a power of two >= 16, got " + resolution);
        if (imgChannels < 1 || numWs < 1 || wDim < 1) throw new IllegalArgumentException("encoder: invalid generator dims");
        if (baseChannels < 1 || maxChannels < baseChannels || resBlocks < 0 || headChannels < 1 || headConvs < 0)
            throw new IllegalArgumentException("encoder: invalid widths/depth");
        if (coarseRows < 0 || mediumRows < 0 || coarseRows + mediumRows > numWs)
            throw new IllegalArgumentException("encoder: coarseRows + mediumRows must be <= numWs (" + numWs + ")");
        if (!(outputScale > 0) || !Double.isFinite(outputScale)) throw new IllegalArgumentException("encoder: outputScale must be > 0");
        if (backbone == null) backbone = EncoderBackbone.RESIDUAL;
        paddingChannels = java.util.List.copyOf(paddingChannels == null ? java.util.List.of() : paddingChannels);
        if (paddingChannels.size() > stages() + 1 || paddingChannels.stream().anyMatch(ch -> ch < 1))
            throw new IllegalArgumentException("encoder: paddingChannels " + paddingChannels + " do not fit a " + resolution + " px generator");
        if (!paddingChannels.isEmpty() && mediumRows + Math.max(0, numWs - coarseRows - mediumRows) == 0)
            throw new IllegalArgumentException("encoder: the padding branch reads the medium pyramid level, which needs mediumRows or fine rows > 0");
    }

    /**
     * The default for a generator, sized for small models on a CPU: 32 base channels, cap 128, one
     * residual block per stage, 64-channel pyramid, 2 head convs; rows split as pSp (3/4/11 of 18).
     */
    public static EncoderConfig forGenerator(GeneratorConfig g) {
        int n = g.numWs();
        int coarse = Math.max(1, (int) Math.round(n * 3.0 / 18));
        int medium = Math.max(n - coarse >= 2 ? 1 : 0, (int) Math.round(n * 4.0 / 18));
        if (coarse + medium > n) medium = n - coarse;
        return new EncoderConfig(g.imgResolution(), g.imgChannels(), n, g.wDim(), 32, 128, 1, 64, 2, coarse, medium, 1.0, EncoderBackbone.RESIDUAL, java.util.List.of());
    }

    /**
     * PadInv's encoder scaled to a small model: the {@link #forGenerator} widths with the IR-SE
     * backbone and a padding branch up to 32 px (or {@code paddedUpTo}; 0 gives the same encoder
     * without the padding branch, PadInv's W+-only ablation).
     */
    public static EncoderConfig padInv(GeneratorConfig g, int paddedUpTo) {
        return forGenerator(g).withBackbone(EncoderBackbone.IR_SE).withPadding(g, paddedUpTo);
    }

    /** A tiny variant for tests: 8 base channels, cap 16, no residual blocks, 16-channel heads. */
    public EncoderConfig tiny() {
        return new EncoderConfig(resolution, imgChannels, numWs, wDim, 8, 16, 0, 16, 1, coarseRows, mediumRows, outputScale, backbone, paddingChannels);
    }

    public EncoderConfig withWidths(int base, int max, int resBlocks, int headChannels, int headConvs) {
        return new EncoderConfig(resolution, imgChannels, numWs, wDim, base, max, resBlocks, headChannels, headConvs, coarseRows, mediumRows, outputScale, backbone, paddingChannels);
    }

    public EncoderConfig withOutputScale(double s) {
        return new EncoderConfig(resolution, imgChannels, numWs, wDim, baseChannels, maxChannels, resBlocks, headChannels, headConvs, coarseRows, mediumRows, s, backbone, paddingChannels);
    }

    public EncoderConfig withBackbone(EncoderBackbone b) {
        return new EncoderConfig(resolution, imgChannels, numWs, wDim, baseChannels, maxChannels, resBlocks, headChannels, headConvs, coarseRows, mediumRows, outputScale, b, paddingChannels);
    }

    /**
     * With a padding branch for {@code g} up to {@code paddedUpTo} px (a power of two >= 4; larger than
     * the generator means every layer), or without one for 0.
     */
    public EncoderConfig withPadding(GeneratorConfig g, int paddedUpTo) {
        java.util.List<Integer> ch = new java.util.ArrayList<>();
        if (paddedUpTo != 0) for (String l : io.stylegan2.stylegan.PaddingProviders.paddedLayers(g, paddedUpTo))
            ch.add(g.channelsAt(io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(l)));
        return new EncoderConfig(resolution, imgChannels, numWs, wDim, baseChannels, maxChannels, resBlocks, headChannels, headConvs, coarseRows, mediumRows, outputScale, backbone, ch);
    }

    /** Whether the encoder predicts padding maps and the constant input. */
    public boolean padded() {
        return !paddingChannels.isEmpty();
    }

    /** The finest padded resolution (0 without a padding branch). */
    public int paddedUpTo() {
        return padded() ? 4 << (paddingChannels.size() - 1) : 0;
    }

    /** The padded layers ({@code b4.conv1}, {@code b8.conv1}, ...). */
    public java.util.List<String> paddedLayers() {
        java.util.List<String> l = new java.util.ArrayList<>();
        for (int i = 0; i < paddingChannels.size(); i++) l.add("b" + (4 << i) + ".conv1");
        return l;
    }

    /** Number of stride-2 stages (resolution down to 4x4). */
    public int stages() {
        return Integer.numberOfTrailingZeros(resolution) - 2;
    }

    /** Channels after stage {@code s} (0 = stem). */
    public int channels(int s) {
        return (int) Math.min(maxChannels, (long) baseChannels << s);
    }

    /** Rows of the fine group. */
    public int fineRows() {
        return numWs - coarseRows - mediumRows;
    }

    /** Checks that this encoder fits a generator. */
    public void requireCompatible(GeneratorConfig g) {
        for (int i = 0; i < paddingChannels.size(); i++)
            if (g.channelsAt(4 << i) != paddingChannels.get(i))
                throw new IllegalArgumentException("encoder padding branch: " + paddingChannels.get(i) + " channels at " + (4 << i) + " px, the generator has " + g.channelsAt(4 << i));
        if (g.imgResolution() != resolution || g.imgChannels() != imgChannels || g.numWs() != numWs || g.wDim() != wDim)
            throw new IllegalArgumentException("encoder (" + resolution + " px, " + imgChannels + " ch, " + numWs + "x" + wDim
                    + ") does not fit the generator (" + g.imgResolution() + " px, " + g.imgChannels() + " ch, " + g.numWs() + "x" + g.wDim() + ")");
    }
}
