package io.stylegan2.stylegan;

import java.util.List;
import java.util.Map;

/**
 * Constructor arguments of a StyleGAN2 discriminator (NVlabs vocabulary, {@code architecture='resnet'}).
 *
 * <p><b>Thread safety:</b> Immutable (the channel table and filter are copied into unmodifiable
 * collections); safe to share between threads.
 *
 * @param imgResolution    input resolution
 * @param imgChannels      input channels
 * @param channels         channel table: block resolution (4 ... img_resolution) to feature channels
 * @param mbstdGroupSize   minibatch-stddev group size ({@code mbstd_group_size}, 4); the effective group is min(group, N)
 * @param mbstdNumChannels minibatch-stddev feature channels ({@code mbstd_num_channels}, 1)
 * @param resampleFilter   1-D FIR taps of the downsampling filter ([1,3,3,1])
 * @param convClamp        clamp of conv outputs; {@code null} for none
 * @param architecture     only {@code resnet} (the StyleGAN2 default) is supported
 */
public record DiscriminatorConfig(
        int imgResolution,
        int imgChannels,
        Map<Integer, Integer> channels,
        int mbstdGroupSize,
        int mbstdNumChannels,
        List<Double> resampleFilter,
        Double convClamp,
        String architecture) {

    public DiscriminatorConfig {
        GeneratorConfig.checkResolution(imgResolution, "img_resolution");
        GeneratorConfig.checkImgChannels(imgChannels);
        channels = GeneratorConfig.checkChannels(channels, imgResolution);
        if (mbstdGroupSize < 1 || mbstdNumChannels < 1 || mbstdGroupSize > GeneratorConfig.MAX_DIM || mbstdNumChannels > GeneratorConfig.MAX_DIM)
            throw new IllegalArgumentException("mbstd group size and channels must be in [1, " + GeneratorConfig.MAX_DIM + "], got " + mbstdGroupSize + ", " + mbstdNumChannels);
        resampleFilter = GeneratorConfig.checkFilter(resampleFilter);
        GeneratorConfig.checkConvClamp(convClamp);
        if (architecture == null) architecture = "resnet";
        if (!architecture.equals("resnet")) throw new IllegalArgumentException("discriminator architecture '" + architecture + "' is not supported (only 'resnet')");
    }

    /** A config from the NVlabs constructor arguments. */
    public static DiscriminatorConfig nvlabs(int imgResolution, int imgChannels, int channelBase, int channelMax) {
        return new DiscriminatorConfig(imgResolution, imgChannels,
                GeneratorConfig.channelTable(imgResolution, channelBase, channelMax), 4, 1, GeneratorConfig.DEFAULT_FILTER, null, "resnet");
    }

    public int channelsAt(int res) {
        Integer c = channels.get(res);
        if (c == null) throw new IllegalArgumentException("no block at resolution " + res);
        return c;
    }
}
