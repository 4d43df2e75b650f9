package io.stylegan2.stylegan;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Constructor arguments of a StyleGAN2 discriminator (NVlabs vocabulary, {@code architecture='resnet'}).
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
        if (imgChannels < 1) throw new IllegalArgumentException("img_channels must be >= 1, got " + imgChannels);
        channels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(channels, "channels")));
        for (int res = 4; res <= imgResolution; res *= 2) {
            Integer c = channels.get(res);
            if (c == null || c <= 0) throw new IllegalArgumentException("channel table has no positive entry for resolution " + res + ": " + channels);
        }
        if (mbstdGroupSize < 1 || mbstdNumChannels < 1) throw new IllegalArgumentException("mbstd group size and channels must be >= 1");
        resampleFilter = List.copyOf(resampleFilter == null ? GeneratorConfig.DEFAULT_FILTER : resampleFilter);
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
