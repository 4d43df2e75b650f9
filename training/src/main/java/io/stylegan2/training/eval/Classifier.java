package io.stylegan2.training.eval;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.metrics.FeatureExtractor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A small CNN image classifier whose penultimate features serve as the feature space of a
 * Frechet distance on a dataset without Inception weights (Fashion-MNIST here: "FD-fmnist", never
 * FID). Architecture, for {@code [N, C, R, R]} images in [-1, 1] (R a power of two >= 8):
 * a 3x3 stem to {@code width} channels, then stride-2 3x3 convs doubling the width (capped at 4x)
 * down to 4x4, each followed by leaky ReLU 0.2; flatten; a fully connected layer to
 * {@value #FEATURES} features (leaky ReLU: the feature vector); a linear layer to the classes.
 * Initialisation He-normal (seeded), biases zero. Trained by {@link ClassifierTraining}.
 *
 * <p>File format ({@value #FORMAT}): safetensors with the parameters and metadata {@code format},
 * {@code resolution}, {@code channels}, {@code classes}, {@code width}, {@code name}, plus what training
 * recorded (test accuracy, epochs).
 *
 * <p><b>Thread safety:</b> Thread-safe: {@link #features} and {@link #logits} are serialised (one at
 * a time per instance; they build the inference graph lazily under that lock); the other methods
 * read only final state. The parameter arrays are not copied, so no thread may mutate them.
 */
public final class Classifier implements FeatureExtractor {
    public static final String FORMAT = "stylegan2-classifier/1";
    /** Length of the feature vector. */
    public static final int FEATURES = 256;
    static final String X = "x", LOGITS = "logits", FEATS = "features";

    private final String name;
    private final int resolution, channels, classes, width;
    private final Map<String, INDArray> params;
    private final Map<String, String> info;
    private SameDiff inference;

    Classifier(String name, int resolution, int channels, int classes, int width, Map<String, INDArray> params, Map<String, String> info) {
        if (resolution < 8 || Integer.bitCount(resolution) != 1) throw new IllegalArgumentException("classifier resolution must be a power of two >= 8, got " + resolution);
        this.name = name;
        this.resolution = resolution;
        this.channels = channels;
        this.classes = classes;
        this.width = width;
        Map<String, long[]> shapes = shapes(resolution, channels, classes, width);
        if (!shapes.keySet().equals(params.keySet())) throw new IllegalArgumentException("classifier parameters " + params.keySet() + " do not match the architecture " + shapes.keySet());
        shapes.forEach((k, s) -> {
            if (!Arrays.equals(params.get(k).shape(), s))
                throw new IllegalArgumentException("classifier parameter '" + k + "' has shape " + Arrays.toString(params.get(k).shape()) + ", expected " + Arrays.toString(s));
        });
        this.params = params;
        this.info = Map.copyOf(info);
    }

    /** A freshly initialised classifier. */
    public static Classifier random(String name, int resolution, int channels, int classes, int width, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, INDArray> p = new LinkedHashMap<>();
        shapes(resolution, channels, classes, width).forEach((k, s) -> {
            if (k.endsWith(".b")) {
                p.put(k, Nd4j.zeros(DataType.FLOAT, s));
                return;
            }
            long fanIn = s.length == 4 ? s[0] * s[1] * s[2] : s[0];
            double std = Math.sqrt(2.0 / (1 + 0.04) / fanIn);
            float[] v = io.stylegan2.core.Seeds.gaussian(r, (int) Arrays.stream(s).reduce(1, (a, b) -> a * b));
            for (int i = 0; i < v.length; i++) v[i] *= (float) std;
            p.put(k, Nd4j.create(v, s, DataType.FLOAT));
        });
        return new Classifier(name, resolution, channels, classes, width, p, Map.of());
    }

    /** Parameter names and shapes: convs {@code [3, 3, in, out]}, linear {@code [in, out]}, biases {@code [out]}. */
    static Map<String, long[]> shapes(int resolution, int channels, int classes, int width) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("stem.w", new long[]{3, 3, channels, width});
        m.put("stem.b", new long[]{width});
        int c = width;
        for (int r = resolution, i = 0; r > 4; r /= 2, i++) {
            int out = Math.min(c * 2, width * 4);
            m.put("down" + i + ".w", new long[]{3, 3, c, out});
            m.put("down" + i + ".b", new long[]{out});
            c = out;
        }
        m.put("fc.w", new long[]{(long) c * 16, FEATURES});
        m.put("fc.b", new long[]{FEATURES});
        m.put("out.w", new long[]{FEATURES, classes});
        m.put("out.b", new long[]{classes});
        return m;
    }

    /** Builds the network on {@code x [N, C, R, R]}: returns {features, logits}. */
    SDVariable[] build(SDVariable x, Function<String, SDVariable> p) {
        SDVariable h = act(Conv2dResample.conv(x, p.apply("stem.w"), 3, 3, 1, 1, 1), p.apply("stem.b"));
        int c = width, i = 0;
        for (int r = resolution; r > 4; r /= 2, i++) {
            h = act(Conv2dResample.conv(h, p.apply("down" + i + ".w"), 3, 3, 2, 1, 1), p.apply("down" + i + ".b"));
            c = Math.min(c * 2, width * 4);
        }
        SDVariable flat = h.reshape(-1, (long) c * 16);
        SDVariable f = BiasAct.biasAct(flat.mmul(p.apply("fc.w")), p.apply("fc.b"), 2, Activation.LRELU, 0.2, 1.0, null);
        SDVariable logits = f.mmul(p.apply("out.w")).add(p.apply("out.b"));
        return new SDVariable[]{f, logits};
    }

    private static SDVariable act(SDVariable x, SDVariable b) {
        return BiasAct.biasAct(x, b, 4, Activation.LRELU, 0.2, 1.0, null);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int featureDim() {
        return FEATURES;
    }

    public int resolution() {
        return resolution;
    }

    public int channels() {
        return channels;
    }

    public int classes() {
        return classes;
    }

    int width() {
        return width;
    }

    Map<String, INDArray> params() {
        return params;
    }

    /** What training recorded (e.g. {@code test_accuracy}). */
    public Map<String, String> info() {
        return info;
    }

    /** Penultimate features {@code [N, 256]} of images {@code [N, C, R, R]} in [-1, 1] (gray RGB averaged when the classifier has 1 channel). */
    @Override
    public synchronized INDArray features(INDArray images) {
        return run(images)[0];
    }

    /** Class logits {@code [N, classes]}. */
    public synchronized INDArray logits(INDArray images) {
        return run(images)[1];
    }

    /** Class logits {@code [N, classes]} of penultimate features {@code [N, 256]} (what {@link #features} returns): the head alone. */
    public INDArray logitsOfFeatures(INDArray features) {
        if (features.rank() != 2 || features.size(1) != FEATURES)
            throw new IllegalArgumentException("classifier " + name + ": features must be [N, " + FEATURES + "], got " + Arrays.toString(features.shape()));
        INDArray w = params.get("out.w"), b = params.get("out.b");
        return features.castTo(w.dataType()).mmul(w).addiRowVector(b.reshape(-1));
    }

    private INDArray[] run(INDArray images) {
        long[] s = images.shape();
        INDArray x = images;
        if (s.length == 4 && s[1] == 3 && channels == 1) x = images.mean(true, 1);
        if (x.rank() != 4 || x.size(1) != channels || x.size(2) != resolution || x.size(3) != resolution)
            throw new IllegalArgumentException("classifier " + name + " takes [N, " + channels + ", " + resolution + ", " + resolution + "], got " + Arrays.toString(s));
        if (inference == null) {
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.placeHolder(X, DataType.FLOAT, -1, channels, resolution, resolution);
            SDVariable[] o = build(in, k -> sd.constant("c/" + k, params.get(k)));
            o[0].rename(FEATS);
            o[1].rename(LOGITS);
            inference = sd;
        }
        Map<String, INDArray> out = inference.output(Map.of(X, x.castTo(DataType.FLOAT)), FEATS, LOGITS);
        MemoryPolicy.step();
        return new INDArray[]{out.get(FEATS).dup(), out.get(LOGITS).dup()};
    }

    /** Writes the classifier atomically. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(info);
        meta.put("format", FORMAT);
        meta.put("name", name);
        meta.put("resolution", Integer.toString(resolution));
        meta.put("channels", Integer.toString(channels));
        meta.put("classes", Integer.toString(classes));
        meta.put("width", Integer.toString(width));
        AtomicFiles.write(file, out -> Safetensors.write(out, params, meta));
    }

    /** Classpath location of the shipped Fashion-MNIST classifier. */
    public static final String FASHION_MNIST = "/io/stylegan2/training/eval/fashion-mnist-classifier.safetensors";

    /**
     * The Fashion-MNIST classifier shipped in this jar ({@code fmnist}: 32x32 gray, images
     * padded 28 -> 32; trained by {@code train-classifier} with the defaults on the 60 000 training
     * images, 3 epochs; its test accuracy on the 10 000 test images is in {@link #info()}). Its
     * features define "FD-fmnist".
     */
    public static Classifier fashionMnist() throws IOException {
        try (java.io.InputStream in = Classifier.class.getResourceAsStream(FASHION_MNIST)) {
            if (in == null) throw new IOException("no classifier " + FASHION_MNIST + " in this build");
            return load(in, FASHION_MNIST);
        }
    }

    /** Reads a classifier from a stream (e.g. a classpath resource); {@code name} labels errors. */
    public static Classifier load(java.io.InputStream in, String name) throws IOException {
        return Safetensors.readStream(in, name, Classifier::load);
    }

    /** Reads a classifier file; errors name the file. */
    public static Classifier load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> m = c.metadata();
        if (!FORMAT.equals(m.get("format"))) throw new IOException(file + ": not a classifier (format '" + m.get("format") + "', expected " + FORMAT + ")");
        try {
            Map<String, String> info = new LinkedHashMap<>(m);
            for (String k : new String[]{"format", "name", "resolution", "channels", "classes", "width"}) info.remove(k);
            return new Classifier(m.get("name"), Integer.parseInt(m.get("resolution")), Integer.parseInt(m.get("channels")), Integer.parseInt(m.get("classes")),
                    Integer.parseInt(m.get("width")), new LinkedHashMap<>(c.tensors()), info);
        } catch (RuntimeException e) {
            throw new IOException(file + ": corrupt classifier: " + e.getMessage(), e);
        }
    }
}
