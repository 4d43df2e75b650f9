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
 * <p><b>Thread safety:</b> Immutable (the channel table and filter are copied into unmodifiable
 * collections); safe to share between threads.
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

    /** Bounds of a config read from a file (far above any published network), checked before anything is allocated. */
    public static final int MAX_DIM = 1 << 16, MAX_MAPPING_LAYERS = 64, MAX_IMG_CHANNELS = 16, MAX_RESOLUTION = 1 << 14, MAX_FILTER_TAPS = 64;
    /** Bound of {@code lr_multiplier} (0.01 in StyleGAN2; larger values overflow the mapping's weights). */
    public static final double MAX_LR_MULTIPLIER = 1000;

    public GeneratorConfig {
        if (zDim <= 0 || wDim <= 0 || zDim > MAX_DIM || wDim > MAX_DIM)
            throw new IllegalArgumentException("z_dim and w_dim must be in [1, " + MAX_DIM + "], got " + zDim + ", " + wDim);
        if (mappingLayers < 1 || mappingLayers > MAX_MAPPING_LAYERS)
            throw new IllegalArgumentException("mapping num_layers must be in [1, " + MAX_MAPPING_LAYERS + "], got " + mappingLayers);
        if (!(lrMultiplier > 0) || lrMultiplier > MAX_LR_MULTIPLIER)
            throw new IllegalArgumentException("lr_multiplier must be in (0, " + MAX_LR_MULTIPLIER + "], got " + lrMultiplier);
        checkResolution(imgResolution, "img_resolution");
        checkImgChannels(imgChannels);
        channels = checkChannels(channels, imgResolution);
        resampleFilter = checkFilter(resampleFilter);
        checkConvClamp(convClamp);
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
        if (res < 8 || res > MAX_RESOLUTION || Integer.bitCount(res) != 1)
            throw new IllegalArgumentException(name + " must be a power of two in [8, " + MAX_RESOLUTION + "], got " + res);
    }

    static void checkImgChannels(int imgChannels) {
        if (imgChannels < 1 || imgChannels > MAX_IMG_CHANNELS)
            throw new IllegalArgumentException("img_channels must be in [1, " + MAX_IMG_CHANNELS + "], got " + imgChannels);
    }

    /** The channel table, sorted and unmodifiable, with a positive entry of at most {@link #MAX_DIM} for every block resolution. */
    static Map<Integer, Integer> checkChannels(Map<Integer, Integer> channels, int imgResolution) {
        Map<Integer, Integer> t = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(channels, "channels")));
        for (int res = 4; res <= imgResolution; res *= 2) {
            Integer c = t.get(res);
            if (c == null || c <= 0 || c > MAX_DIM)
                throw new IllegalArgumentException("channel table needs an entry in [1, " + MAX_DIM + "] for resolution " + res + ", got " + c);
        }
        return t;
    }

    /** The FIR taps ({@link #DEFAULT_FILTER} for null): 1 to {@link #MAX_FILTER_TAPS} finite values with a non-zero sum. */
    static List<Double> checkFilter(List<Double> filter) {
        List<Double> f = List.copyOf(filter == null ? DEFAULT_FILTER : filter);
        if (f.isEmpty() || f.size() > MAX_FILTER_TAPS) throw new IllegalArgumentException("resample_filter needs 1 to " + MAX_FILTER_TAPS + " taps, got " + f.size());
        double sum = 0;
        for (double v : f) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("resample_filter holds a non-finite tap: " + f);
            sum += v;
        }
        if (!(Math.abs(sum) > 1e-12) || !Double.isFinite(sum)) throw new IllegalArgumentException("resample_filter taps sum to " + sum + " (must be non-zero): " + f);
        return f;
    }

    static void checkConvClamp(Double convClamp) {
        if (convClamp != null && !(convClamp > 0 && Double.isFinite(convClamp)))
            throw new IllegalArgumentException("conv_clamp must be null (none) or finite and > 0, got " + convClamp);
    }
}
