package io.stylegan2.stylegan;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Constructor arguments of a StyleGAN2 generator, in the official (NVlabs) vocabulary.
 *
 * <p>Serialised as JSON into the native model file, so a network can be rebuilt from config plus
 * weights with no code. Resolutions are powers of two &ge; 8 (4 is the constant input's
 * resolution and is always present in {@link #channels}).
 *
 * @param zDim              input latent size ({@code z_dim})
 * @param wDim              intermediate latent size ({@code w_dim})
 * @param mappingLayers     number of fully connected layers in the mapping network ({@code num_layers})
 * @param lrMultiplier      learning-rate multiplier of the mapping layers ({@code lr_multiplier}, 0.01)
 * @param imgResolution     output resolution ({@code img_resolution})
 * @param imgChannels       output channels ({@code img_channels}, 3 for RGB, 1 for gray)
 * @param channels          channel table: block resolution (4, 8, ..., img_resolution) to feature channels
 * @param resampleFilter    1-D FIR taps of the resampling filter ({@code resample_filter}, [1,3,3,1])
 * @param convClamp         clamp of conv outputs ({@code conv_clamp}); {@code null} for none
 * @param architecture      synthesis architecture; only {@code skip} (the StyleGAN2 default) is supported
 */
public record GeneratorConfig(
        int zDim,
        int wDim,
        int mappingLayers,
        double lrMultiplier,
        int imgResolution,
        int imgChannels,
        Map<Integer, Integer> channels,
        List<Double> resampleFilter,
        Double convClamp,
        String architecture) {

    public static final List<Double> DEFAULT_FILTER = List.of(1.0, 3.0, 3.0, 1.0);

    public GeneratorConfig {
        if (zDim <= 0 || wDim <= 0) throw new IllegalArgumentException("z_dim and w_dim must be > 0, got " + zDim + ", " + wDim);
        if (mappingLayers < 1) throw new IllegalArgumentException("mapping num_layers must be >= 1, got " + mappingLayers);
        checkResolution(imgResolution, "img_resolution");
        if (imgChannels < 1) throw new IllegalArgumentException("img_channels must be >= 1, got " + imgChannels);
        channels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(channels, "channels")));
        for (int res = 4; res <= imgResolution; res *= 2) {
            Integer c = channels.get(res);
            if (c == null || c <= 0) throw new IllegalArgumentException("channel table has no positive entry for resolution " + res + ": " + channels);
        }
        resampleFilter = List.copyOf(resampleFilter == null ? DEFAULT_FILTER : resampleFilter);
        if (architecture == null) architecture = "skip";
        if (!architecture.equals("skip")) throw new IllegalArgumentException("synthesis architecture '" + architecture + "' is not supported (only 'skip')");
    }

    /** Official channel rule: {@code min(channel_base / res, channel_max)} for every block resolution. */
    public static Map<Integer, Integer> channelTable(int imgResolution, int channelBase, int channelMax) {
        checkResolution(imgResolution, "img_resolution");
        Map<Integer, Integer> t = new TreeMap<>();
        for (int res = 4; res <= imgResolution; res *= 2) t.put(res, Math.min(channelBase / res, channelMax));
        return t;
    }

    /** A config from the NVlabs constructor arguments ({@code channel_base}, {@code channel_max}). */
    public static GeneratorConfig nvlabs(int zDim, int wDim, int mappingLayers, int imgResolution, int imgChannels,
                                         int channelBase, int channelMax) {
        return new GeneratorConfig(zDim, wDim, mappingLayers, 0.01, imgResolution, imgChannels,
                channelTable(imgResolution, channelBase, channelMax), DEFAULT_FILTER, null, "skip");
    }

    /** {@code log2(img_resolution)}. */
    public int resolutionLog2() {
        return Integer.numberOfTrailingZeros(imgResolution);
    }

    /** Number of W+ rows ({@code num_ws}): one per conv plus one for the last ToRGB, {@code 2*log2(res) - 2}. */
    public int numWs() {
        return 2 * resolutionLog2() - 2;
    }

    /** Block resolutions 4, 8, ..., img_resolution. */
    public int[] blockResolutions() {
        int n = resolutionLog2() - 1;
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = 4 << i;
        return r;
    }

    /** Channels of the block at {@code res}. */
    public int channelsAt(int res) {
        Integer c = channels.get(res);
        if (c == null) throw new IllegalArgumentException("no block at resolution " + res + " (img_resolution " + imgResolution + ")");
        return c;
    }

    static void checkResolution(int res, String name) {
        if (res < 8 || Integer.bitCount(res) != 1)
            throw new IllegalArgumentException(name + " must be a power of two >= 8, got " + res);
    }
}
