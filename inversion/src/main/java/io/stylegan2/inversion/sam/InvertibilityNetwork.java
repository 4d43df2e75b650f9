package io.stylegan2.inversion.sam;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * SAM's invertibility network: predicts, for every pixel, the reconstruction error each candidate
 * space would leave ({@link ErrorMaps}). The paper uses DeepLab-v3 (ResNet backbone, output stride
 * 16) with one head per space; at the sizes this project trains on (32 px garments, a few hundred
 * training images) that backbone is far too large, so this is a small fully convolutional U-Net
 * with the paper's heads:
 * <pre>
 *   c0  3x3 conv C to h, lrelu 0.2                         (full resolution)
 *   c1  3x3 conv h to 2h, stride 2, lrelu 0.2              (half resolution)
 *   c2  3x3 conv 2h to 2h, lrelu 0.2
 *   c3  2x nearest upsampling, concat c0, 3x3 conv 3h to h, lrelu 0.2
 *   head k (one per space): 3x3 conv h to 4, lrelu 0.2, 1x1 conv 4 to 1, ReLU
 * </pre>
 * (the paper's heads are ConvTranspose 3x3 8 to 4, BatchNorm, LeakyReLU 0.2, ConvTranspose 1x1
 * 4 to 1, ReLU; BatchNorm is left out: with small batches its statistics are noise). Weights are
 * He-normal from a seed, biases zero, except each head's last layer: zero weights and the bias
 * {@code initialError} ({@link #create}), so training starts from a constant prediction with every
 * ReLU active (He-normal there drove the outputs negative and the heads died in the first steps). Any even image
 * size works.
 *
 * <p>Saved as {@code .safetensors} ({@value #FORMAT}) with the spaces, sizes and the error map's
 * kind in the metadata.
 *
 * <p><b>Thread safety:</b> The parameters are not copied and must not be mutated while shared;
 * {@link #predict} is synchronized (one cached graph).
 */
public final class InvertibilityNetwork implements AutoCloseable {
    public static final String FORMAT = "stylegan2-invertibility/1";
    static final String META_FORMAT = "format", META_SPACES = "spaces", META_CHANNELS = "image_channels", META_HIDDEN = "hidden",
            META_ERROR = "error_map", META_RESOLUTION = "resolution";

    /**
     * @param spaces        the candidate spaces' names, W+ first (one head each)
     * @param imageChannels input channels
     * @param resolution    the image size it was trained at (informative; the network is fully convolutional)
     * @param hidden        width {@code h}
     * @param errorMap      what the heads predict ({@link ErrorMaps#describe})
     */
    public record Config(List<String> spaces, int imageChannels, int resolution, int hidden, String errorMap) {
        public Config {
            spaces = List.copyOf(spaces);
            if (spaces.isEmpty()) throw new IllegalArgumentException("invertibility network: no spaces");
            if (imageChannels < 1 || hidden < 1 || resolution < 1)
                throw new IllegalArgumentException("invertibility network: channels, width and resolution must be >= 1");
            if (errorMap == null || errorMap.isBlank()) throw new IllegalArgumentException("invertibility network: no error-map kind");
        }
    }

    private final Config config;
    private final Map<String, INDArray> params;
    private Cached cached;

    private record Cached(SameDiff sd, String input, String output, long[] shape) {}

    public InvertibilityNetwork(Config config, Map<String, INDArray> params) {
        this.config = config;
        Map<String, long[]> shapes = shapes(config);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            INDArray a = params.get(e.getKey());
            if (a == null) throw new IllegalArgumentException("invertibility network: missing tensor '" + e.getKey() + "'");
            if (!Arrays.equals(a.shape(), e.getValue()))
                throw new IllegalArgumentException("invertibility network: tensor '" + e.getKey() + "' has shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.getValue()));
        }
        for (String k : params.keySet()) if (!shapes.containsKey(k)) throw new IllegalArgumentException("invertibility network: unexpected tensor '" + k + "'");
        Map<String, INDArray> p = new LinkedHashMap<>();
        shapes.keySet().forEach(k -> p.put(k, params.get(k).castTo(DataType.FLOAT)));
        this.params = java.util.Collections.unmodifiableMap(p);
    }

    /** A new network, He-normal weights from {@code seed}; each head's last layer starts at zero weights and bias {@code initialError} (e.g. the mean training target). */
    public static InvertibilityNetwork create(Config config, long seed, double initialError) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, INDArray> p = new LinkedHashMap<>();
        shapes(config).forEach((name, shape) -> {
            INDArray a;
            if (name.endsWith(".1.weight")) {
                a = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, shape);      // heads start at the constant initialError
            } else if (shape.length == 4) {
                double std = Math.sqrt(2.0 / (shape[0] * shape[1] * shape[2]));
                a = Seeds.randn(r, DataType.FLOAT, shape).muli(std);
            } else {
                a = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, shape);
                if (name.endsWith(".1.bias")) a.assign(initialError);
            }
            p.put(name, a);
        });
        return new InvertibilityNetwork(config, p);
    }

    /** Parameter names and shapes ({@code [kH, kW, in, out]} conv weights). */
    static Map<String, long[]> shapes(Config c) {
        int h = c.hidden();
        Map<String, long[]> m = new LinkedHashMap<>();
        conv(m, "c0", 3, c.imageChannels(), h);
        conv(m, "c1", 3, h, 2L * h);
        conv(m, "c2", 3, 2L * h, 2L * h);
        conv(m, "c3", 3, 3L * h, h);
        for (int k = 0; k < c.spaces().size(); k++) {
            conv(m, "head" + k + ".0", 3, h, 4);
            conv(m, "head" + k + ".1", 1, 4, 1);
        }
        return m;
    }

    private static void conv(Map<String, long[]> m, String name, int k, long in, long out) {
        m.put(name + ".weight", new long[]{k, k, in, out});
        m.put(name + ".bias", new long[]{out});
    }

    public Config config() {
        return config;
    }

    /** The parameters (float32, not copies). */
    public Map<String, INDArray> params() {
        return params;
    }

    /**
     * The network in {@code x}'s graph: {@code [N, C, H, W]} to {@code [N, S, H, W]}.
     *
     * @param param the graph variable (or constant) of each parameter name
     */
    public static SDVariable build(Config c, SDVariable x, int height, int width, Function<String, SDVariable> param) {
        if (height % 2 != 0 || width % 2 != 0) throw new IllegalArgumentException("invertibility network: image sides must be even, got " + height + "x" + width);
        SameDiff sd = x.getSameDiff();
        int h = c.hidden();
        SDVariable h0 = act(sd, conv(x, param, "c0", 3, 1));
        SDVariable h1 = act(sd, conv(h0, param, "c1", 3, 2));
        SDVariable h2 = act(sd, conv(h1, param, "c2", 3, 1));
        SDVariable up = nearest2x(sd, h2, 2L * h, height / 2, width / 2);
        SDVariable d = act(sd, conv(sd.concat(1, up, h0), param, "c3", 3, 1));
        List<SDVariable> heads = new ArrayList<>();
        for (int k = 0; k < c.spaces().size(); k++)
            heads.add(conv(act(sd, conv(d, param, "head" + k + ".0", 3, 1)), param, "head" + k + ".1", 1, 1));
        return sd.nn().relu(sd.concat(1, heads.toArray(new SDVariable[0])), 0);
    }

    /** Nearest-neighbour 2x upsampling of {@code [N, C, h, w]} by stacking and reshaping (ND4J's upsampling2d has no shape function in SameDiff M2.1). */
    static SDVariable nearest2x(SameDiff sd, SDVariable x, long channels, int h, int w) {
        SDVariable cols = sd.stack(4, x, x).reshape(-1, channels, h, 2L * w);          // [N, C, h, w, 2] -> [N, C, h, 2w]
        return sd.stack(3, cols, cols).reshape(-1, channels, 2L * h, 2L * w);          // [N, C, h, 2, 2w] -> [N, C, 2h, 2w]
    }

    /** A convolution with padding {@code k / 2} and stride {@code s} (weights {@code [k, k, in, out]}), plus bias. */
    private static SDVariable conv(SDVariable x, Function<String, SDVariable> p, String name, int k, int s) {
        SDVariable y = io.stylegan2.core.ops.Conv2dResample.conv(x, p.apply(name + ".weight"), k, k, s, k / 2, k / 2);
        return y.add(x.getSameDiff().reshape(p.apply(name + ".bias"), 1, -1, 1, 1));
    }

    private static SDVariable act(SameDiff sd, SDVariable x) {
        return sd.nn().leakyRelu(x, 0.2);
    }

    /** Predicted error maps {@code [N, S, H, W]} float32 for images {@code [N, C, H, W]} in {@code [-1, 1]}. */
    public synchronized INDArray predict(INDArray images) {
        if (images.rank() != 4 || images.size(1) != config.imageChannels() || images.size(2) % 2 != 0 || images.size(3) % 2 != 0)
            throw new IllegalArgumentException("invertibility network: images must be [N, " + config.imageChannels() + ", H, W] with even H and W, got " + Arrays.toString(images.shape()));
        if (cached == null || !Arrays.equals(cached.shape(), images.shape())) {
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.placeHolder("x", DataType.FLOAT, images.size(0), images.size(1), images.size(2), images.size(3));
            SDVariable out = build(config, in, (int) images.size(2), (int) images.size(3), n -> sd.constant("p/" + n, params.get(n)));
            cached = new Cached(sd, in.name(), out.name(), images.shape().clone());
        }
        return cached.sd().output(Map.of(cached.input(), images.castTo(DataType.FLOAT)), cached.output()).get(cached.output()).dup();
    }

    /** Writes the network atomically. */
    public void save(Path file, Map<String, String> extraMetadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.putAll(metadata(config));
        AtomicFiles.write(file, out -> Safetensors.write(out, params, meta));
    }

    /** The metadata that describes a network of {@code c} ({@link #fromContents} reads it back); networks and checkpoints share it. */
    static Map<String, String> metadata(Config c) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, FORMAT);
        meta.put(META_SPACES, String.join(",", c.spaces()));
        meta.put(META_CHANNELS, Integer.toString(c.imageChannels()));
        meta.put(META_RESOLUTION, Integer.toString(c.resolution()));
        meta.put(META_HIDDEN, Integer.toString(c.hidden()));
        meta.put(META_ERROR, c.errorMap());
        return meta;
    }

    /** Reads a network written by {@link #save}; errors name the file. */
    public static InvertibilityNetwork load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        return fromContents(file.toString(), c.tensors(), c.metadata(), "");
    }

    static InvertibilityNetwork fromContents(String what, Map<String, INDArray> tensors, Map<String, String> meta, String prefix) {
        if (!FORMAT.equals(meta.get(META_FORMAT)))
            throw new IllegalArgumentException(what + ": not an invertibility network (format '" + meta.get(META_FORMAT) + "', expected " + FORMAT + "; make one with train-invertibility)");
        Config c;
        try {
            c = new Config(Arrays.asList(meta.get(META_SPACES).split(",")), Integer.parseInt(meta.get(META_CHANNELS)), Integer.parseInt(meta.get(META_RESOLUTION)),
                    Integer.parseInt(meta.get(META_HIDDEN)), meta.get(META_ERROR));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": bad invertibility-network metadata " + meta, e);
        }
        Map<String, INDArray> p = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) p.put(k.substring(prefix.length()), v);
        });
        try {
            InvertibilityNetwork n = new InvertibilityNetwork(c, p);
            n.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
            return n;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** Metadata key of the generator fingerprint ({@link #fingerprint}) a network was trained for. */
    public static final String META_GENERATOR = "generator";
    /** Classpath location of the network trained for the shipped Fashion-MNIST model (inversion/SAM.md). */
    public static final String FASHION_MNIST_32 = "/io/stylegan2/inversion/sam/fashion-mnist-32-invertibility.safetensors";

    private Map<String, String> metadata = Map.of();

    /** The metadata it was loaded with (empty for a new network). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A fingerprint of a generator: SHA-256 of its config and its {@code w_avg} (float32 bytes),
     * enough to tell trained models apart; stored with a network so a mismatch can be reported.
     */
    public static String fingerprint(io.stylegan2.stylegan.Generator g) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(g.config().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            float[] w = g.wAvg().castTo(DataType.FLOAT).dup('c').data().asFloat();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * w.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float f : w) b.putFloat(f);
            md.update(b.array());
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The network shipped for the embedded Fashion-MNIST 32 px model. */
    public static InvertibilityNetwork fashionMnist32() throws IOException {
        try (java.io.InputStream in = InvertibilityNetwork.class.getResourceAsStream(FASHION_MNIST_32)) {
            if (in == null) throw new IOException("no invertibility network " + FASHION_MNIST_32 + " in this build");
            Safetensors.Contents c = Safetensors.readStream(in, FASHION_MNIST_32, x -> Safetensors.read(x));
            return fromContents(FASHION_MNIST_32, c.tensors(), c.metadata(), "");
        }
    }

    /** Metadata key of the network's default threshold ({@link #defaultTau}). */
    public static final String META_DEFAULT_TAU = "default_tau";

    /**
     * The threshold to use when none is given: the paper's 0.225 for LPIPS maps; for the local-RMSE
     * fallback, whose scale differs, the value stored at training ({@link #defaultTauFor}).
     */
    public double defaultTau() {
        String t = metadata.get(META_DEFAULT_TAU);
        if (t != null) {
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invertibility network: bad " + META_DEFAULT_TAU + " '" + t + "'");
            }
        }
        return SpaceSelection.DEFAULT_TAU;
    }

    /**
     * The default threshold of a network trained on {@code data}: 0.225 (the paper's) for LPIPS maps;
     * for local-RMSE maps, the mean measured W+ error of the training images (rounded to 0.001), so a
     * segment goes to a feature space when W+ is predicted to invert it worse than it inverts an average
     * training image. (At 0.225 the RMSE maps of the shipped model pick W+ for every segment.)
     */
    public static double defaultTauFor(InvertibilityData data) {
        if (data.errorMap().startsWith("lpips")) return SpaceSelection.DEFAULT_TAU;
        return Math.round(data.meanErrors()[0] * 1000) / 1000.0;
    }

    /** Whether it was trained for {@code g} (false when its metadata has no fingerprint). */
    public boolean trainedFor(io.stylegan2.stylegan.Generator g) {
        return fingerprint(g).equals(metadata.get(META_GENERATOR));
    }

    /** Checks that this network predicts the given spaces, in order. */
    public InvertibilityNetwork requireSpaces(CandidateSpaces spaces, int imageChannels) {
        if (!config.spaces().equals(spaces.names()))
            throw new IllegalArgumentException("invertibility network predicts spaces " + config.spaces() + ", the generator's candidate spaces are " + spaces.names()
                    + " (train it for this generator with train-invertibility)");
        if (config.imageChannels() != imageChannels)
            throw new IllegalArgumentException("invertibility network takes " + config.imageChannels() + "-channel images, the generator makes " + imageChannels);
        return this;
    }

    @Override
    public synchronized void close() {
        cached = null;
    }
}
