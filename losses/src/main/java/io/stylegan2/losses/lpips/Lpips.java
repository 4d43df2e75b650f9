package io.stylegan2.losses.lpips;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.losses.PerceptualLoss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * LPIPS v0.1 (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual
 * Metric"), numerically equal to richzhang/PerceptualSimilarity {@code lpips.LPIPS(net=..., version='0.1')}
 * in eval mode, on the torchvision AlexNet, VGG16 or SqueezeNet 1.1 trunk.
 *
 * <p>For inputs {@code x, y [N, 3, H, W]} in [-1, 1]: both go through the ScalingLayer
 * {@code (x - shift) / scale} (shift [-.030, -.088, -.188], scale [.458, .448, .450]) and the trunk;
 * each tapped feature map is unit-normalised over channels, {@code f / (sqrt(sum_c f^2) + 1e-10)};
 * the squared difference goes through the layer's 1x1 lin head (no bias; dropout is the identity in
 * eval) and is averaged over space; the distance is the sum over layers. With {@code normalize=true}
 * inputs are in [0, 1] and are mapped by {@code 2x - 1} first (the reference's {@code normalize}).
 * The spatial map is the reference's {@code spatial=True} output: each layer's lin map upsampled
 * to H x W with bilinear {@code align_corners=False} interpolation (torch {@code nn.Upsample}), summed.
 *
 * <p>Everything is built from differentiable SameDiff ops, so a graph can backpropagate through
 * LPIPS to its inputs (e.g. a generator's latent in inversion); the weights are frozen constants.
 * The bilinear upsampling is two matrix products with fixed interpolation matrices (SameDiff's
 * resize has no gradient). SqueezeNet's {@code MaxPool2d(3, 2, ceil_mode=True)} pads the right and
 * bottom with -1e30 before a VALID pool. One deviation, for gradients only: the channel norm is
 * {@code sqrt(max(sum_c f^2, 1e-30))}, so a position where every channel is 0 (common after ReLU)
 * gets a zero gradient instead of NaN; the forward value differs from the reference only where
 * {@code sum_c f^2 < 1e-30}, i.e. by far less than float precision.
 *
 * <p>Weights: the native file is one safetensors file per net (see {@link #load}); it is made once
 * from the official files by {@code io.stylegan2.converter.LpipsConverter} (module weights-converter).
 * Nothing is downloaded at run time.
 *
 * <p><b>Thread safety:</b> Thread-safe: the {@code INDArray} methods are serialised (one at a time
 * per instance); the graph builders only add ops to the caller's SameDiff, which is not
 * thread-safe. No thread may mutate the {@link #tensors()} arrays.
 */
public final class Lpips implements PerceptualLoss, AutoCloseable {
    /** Value of the {@code format} metadata entry of a native LPIPS file. */
    public static final String FORMAT = "lpips-jvm/1";
    /** Metadata keys of a native file. */
    public static final String META_FORMAT = "format", META_NET = "net", META_VERSION = "version";

    static final double[] SHIFT = {-.030, -.088, -.188};
    static final double[] SCALE = {.458, .448, .450};
    static final double EPS = 1e-10;
    static final double NORM_FLOOR = 1e-30;
    static final double POOL_PAD_VALUE = -1e30;
    private static final int CACHE_SIZE = 4;

    private final LpipsNet net;
    private final Map<String, INDArray> tensors;          // PyTorch layout, float32, as stored
    private final Map<String, INDArray> graphWeights;     // conv weights [kH, kW, in, out]; biases and lins [1, C, 1, 1]
    private final Map<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true);

    private Lpips(LpipsNet net, Map<String, INDArray> tensors) {
        this.net = net;
        this.tensors = Collections.unmodifiableMap(tensors);
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue();
            if (a.rank() == 4 && !e.getKey().startsWith("lin")) g.put(e.getKey(), Conv2dResample.oihwToYxio(a));
            else g.put(e.getKey(), a.reshape(1, a.length(), 1, 1).dup('c'));
        }
        this.graphWeights = g;
    }

    /**
     * Builds LPIPS from tensors in PyTorch layout under torchvision/LPIPS names (see
     * {@link LpipsNet#expectedShapes()}). Every expected tensor must be present with its exact shape;
     * unknown names are rejected. Tensors are copied to float32.
     */
    public static Lpips create(LpipsNet net, Map<String, INDArray> tensors) {
        Map<String, long[]> expected = net.expectedShapes();
        List<String> problems = new ArrayList<>();
        Map<String, INDArray> copy = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray a = tensors.get(e.getKey());
            if (a == null) problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
            else if (!Arrays.equals(a.shape(), e.getValue()))
                problems.add(e.getKey() + " has shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.getValue()));
            else copy.put(e.getKey(), a.castTo(DataType.FLOAT).dup('c'));
        }
        TreeSet<String> unknown = new TreeSet<>(tensors.keySet());
        unknown.removeAll(expected.keySet());
        if (!unknown.isEmpty()) problems.add("unexpected tensors " + unknown);
        if (!problems.isEmpty())
            throw new IllegalArgumentException("LPIPS-" + net.id() + " weights do not match the trunk: " + String.join("; ", problems));
        return new Lpips(net, copy);
    }

    /**
     * Reads a native LPIPS file: safetensors, float32 tensors under the names of
     * {@link LpipsNet#expectedShapes()} (torchvision {@code features.*} in PyTorch [out, in, kH, kW]
     * layout, lin heads {@code lin<k>.model.1.weight [1, C_k, 1, 1]}), metadata
     * {@code format=lpips-jvm/1}, {@code net=alex|vgg|squeeze}, {@code version=0.1}.
     */
    public static Lpips load(Path nativeFile) throws IOException {
        Safetensors.Contents c = Safetensors.read(nativeFile);
        String format = c.metadata().get(META_FORMAT);
        if (!FORMAT.equals(format))
            throw new IOException(nativeFile + " is not a native LPIPS file (metadata format=" + format + ", expected " + FORMAT
                    + "); convert the official weights with LpipsConverter first");
        String netName = c.metadata().get(META_NET);
        LpipsNet net;
        try {
            net = LpipsNet.parse(netName);
        } catch (IllegalArgumentException e) {
            throw new IOException(nativeFile + ": " + e.getMessage(), e);
        }
        try {
            return create(net, c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(nativeFile + ": " + e.getMessage(), e);
        }
    }

    /** Writes this model as a native file (atomically: a temporary file, then a rename). */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, FORMAT);
        meta.put(META_NET, net.id());
        meta.put(META_VERSION, "0.1");
        AtomicFiles.write(file, out -> Safetensors.write(out, tensors, meta));
    }

    /** {@code lpips-<net>}, e.g. {@code lpips-alex}. */
    @Override
    public String name() {
        return "lpips-" + net.id();
    }

    /** LPIPS v0.1 of images in [-1, 1] (no re-normalisation), {@code [N]}. */
    @Override
    public SDVariable distance(SDVariable x, SDVariable y, int height, int width) {
        return distance(x, y, height, width, false);
    }

    public LpipsNet net() {
        return net;
    }

    /** The weights (PyTorch layout, float32), unmodifiable. */
    public Map<String, INDArray> tensors() {
        return tensors;
    }

    // ------------------------------------------------------------------------------------------
    // graph API

    /**
     * The graph outputs of one LPIPS evaluation.
     *
     * <p><b>Thread safety:</b> Immutable; its variables belong to one SameDiff graph, which is not
     * thread-safe.
     *
     * @param distance    [N] per-image distance (sum of {@code perLayer})
     * @param perLayer    per tapped layer, [N]: the spatially averaged lin-head output
     * @param spatialMap  [N, 1, H, W] (sum of {@code layerMaps}), or null when not requested
     * @param layerMaps   per layer [N, 1, H, W], upsampled, or null when not requested
     */
    public record Terms(SDVariable distance, List<SDVariable> perLayer, SDVariable spatialMap, List<SDVariable> layerMaps) {}

    /**
     * Builds LPIPS into {@code x}'s graph. {@code x} and {@code y} are [N, 3, height, width] (same
     * shape; SameDiff op outputs have no static shape in M2.1, so the size is passed explicitly),
     * float or double (the weights are cast to that type).
     *
     * @param normalize inputs in [0, 1] (mapped by 2x - 1) instead of [-1, 1]
     * @param spatial   also build the upsampled spatial maps
     */
    public Terms terms(SDVariable x, SDVariable y, int height, int width, boolean normalize, boolean spatial) {
        if (x.getSameDiff() != y.getSameDiff()) throw new IllegalArgumentException("LPIPS: x and y belong to different SameDiff graphs");
        checkStatic(x, "x", height, width);
        checkStatic(y, "y", height, width);
        int[][] sizes = net.featureSizes(height, width);
        SameDiff sd = x.getSameDiff();
        DataType dt = x.dataType().isFPType() ? x.dataType() : DataType.FLOAT;
        List<SDVariable> f0 = trunk(sd, prepare(sd, x, dt, normalize), height, width, dt);
        List<SDVariable> f1 = trunk(sd, prepare(sd, y, dt, normalize), height, width, dt);
        List<SDVariable> perLayer = new ArrayList<>();
        List<SDVariable> maps = spatial ? new ArrayList<>() : null;
        SDVariable total = null, map = null;
        for (int k = 0; k < f0.size(); k++) {
            SDVariable d = unitNormalize(f0.get(k)).sub(unitNormalize(f1.get(k)));
            SDVariable lin = sd.sum(d.mul(d).mul(weight(sd, LpipsNet.linName(k), dt)), false, 1); // [N, h, w]
            SDVariable term = sd.mean(lin, false, 1, 2);                                        // [N]
            perLayer.add(term);
            total = total == null ? term : total.add(term);
            if (spatial) {
                SDVariable up = upsample(sd, lin, sizes[k][0], sizes[k][1], height, width, dt).reshape(-1, 1, height, width);
                maps.add(up);
                map = map == null ? up : map.add(up);
            }
        }
        return new Terms(total, Collections.unmodifiableList(perLayer), map, spatial ? Collections.unmodifiableList(maps) : null);
    }

    /** [N] distances; the size comes from {@code x}'s static shape (use the other overload for op outputs). */
    public SDVariable distance(SDVariable x, SDVariable y) {
        long[] s = staticShape(x);
        if (s == null || s.length != 4 || s[2] < 0 || s[3] < 0)
            throw new IllegalArgumentException("LPIPS: the shape of '" + x.name() + "' is not known when the graph is built (" + Arrays.toString(s)
                    + "); use distance(x, y, height, width, normalize)");
        return distance(x, y, (int) s[2], (int) s[3], false);
    }

    /** [N] distances for inputs [N, 3, height, width]. */
    public SDVariable distance(SDVariable x, SDVariable y, int height, int width, boolean normalize) {
        return terms(x, y, height, width, normalize, false).distance();
    }

    /** Per-layer terms, each [N] (their sum is the distance). */
    public List<SDVariable> perLayer(SDVariable x, SDVariable y, int height, int width, boolean normalize) {
        return terms(x, y, height, width, normalize, false).perLayer();
    }

    /** The spatial distance map [N, 1, height, width] (the reference's {@code spatial=True}). */
    public SDVariable spatialMap(SDVariable x, SDVariable y, int height, int width, boolean normalize) {
        return terms(x, y, height, width, normalize, true).spatialMap();
    }

    // ------------------------------------------------------------------------------------------
    // INDArray conveniences (cached graphs)

    /** [N] distances of inputs in [-1, 1]. */
    @Override
    public INDArray distance(INDArray x, INDArray y) {
        return distance(x, y, false);
    }

    /** [N] distances; {@code normalize}: inputs in [0, 1]. Float results for float inputs, double for double. */
    public synchronized INDArray distance(INDArray x, INDArray y, boolean normalize) {
        Cached c = cached(x, y, normalize);
        return run(c, x, y, c.distance);
    }

    /** [N, L] per-layer terms (L = 5 or 7). */
    public synchronized INDArray perLayer(INDArray x, INDArray y, boolean normalize) {
        Cached c = cached(x, y, normalize);
        return run(c, x, y, c.perLayer);
    }

    /** [N, 1, H, W] spatial map. */
    public synchronized INDArray spatialMap(INDArray x, INDArray y, boolean normalize) {
        Cached c = cached(x, y, normalize);
        return run(c, x, y, c.map);
    }

    @Override
    public synchronized void close() {
        cache.clear();
    }

    private record Cached(SameDiff sd, String x, String y, String distance, String perLayer, String map) {}

    private Cached cached(INDArray x, INDArray y, boolean normalize) {
        if (x == null || y == null) throw new IllegalArgumentException("LPIPS: x and y must not be null");
        if (x.rank() != 4 || x.size(1) != 3)
            throw new IllegalArgumentException("LPIPS: x must be [N, 3, H, W], got " + Arrays.toString(x.shape()));
        if (!Arrays.equals(x.shape(), y.shape()))
            throw new IllegalArgumentException("LPIPS: x " + Arrays.toString(x.shape()) + " and y " + Arrays.toString(y.shape()) + " must have the same shape");
        DataType dt = x.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        int h = (int) x.size(2), w = (int) x.size(3);
        String key = h + "x" + w + "/" + dt + "/" + normalize;
        Cached c = cache.get(key);
        if (c == null) {
            SameDiff sd = SameDiff.create();
            SDVariable px = sd.placeHolder("x", dt, -1, 3, h, w);
            SDVariable py = sd.placeHolder("y", dt, -1, 3, h, w);
            Terms t = terms(px, py, h, w, normalize, true);
            SDVariable d = t.distance().rename("distance");
            SDVariable pl = sd.stack("perLayer", 1, t.perLayer().toArray(new SDVariable[0]));
            SDVariable m = t.spatialMap().rename("spatialMap");
            c = new Cached(sd, "x", "y", d.name(), pl.name(), m.name());
            cache.put(key, c);
            if (cache.size() > CACHE_SIZE) cache.remove(cache.keySet().iterator().next());
        }
        return c;
    }

    private static INDArray run(Cached c, INDArray x, INDArray y, String output) {
        DataType dt = x.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        Map<String, INDArray> ph = new LinkedHashMap<>();
        ph.put(c.x(), x.castTo(dt));
        ph.put(c.y(), y.castTo(dt));
        INDArray r = c.sd().output(ph, output).get(output);
        MemoryPolicy.step(); // evaluation loops: release native buffers now and then
        return r;
    }

    // ------------------------------------------------------------------------------------------
    // building blocks

    private SDVariable prepare(SameDiff sd, SDVariable x, DataType dt, boolean normalize) {
        SDVariable v = x.dataType() == dt ? x : x.castTo(dt);
        if (normalize) v = v.mul(2.0).sub(1.0);
        INDArray shift = Nd4j.create(SHIFT, new long[] {1, 3, 1, 1}, dt);
        INDArray scale = Nd4j.create(SCALE, new long[] {1, 3, 1, 1}, dt);
        return v.sub(constant(sd, "scaling.shift", shift)).div(constant(sd, "scaling.scale", scale));
    }

    private List<SDVariable> trunk(SameDiff sd, SDVariable x, int height, int width, DataType dt) {
        List<SDVariable> taps = new ArrayList<>();
        int h = height, w = width;
        SDVariable v = x;
        for (LpipsNet.Layer layer : net.layers()) {
            if (layer instanceof LpipsNet.Conv c) {
                v = convBias(sd, v, c.name(), c.k(), c.stride(), c.pad(), dt);
                h = LpipsNet.convOut(h, c.k(), c.stride(), c.pad());
                w = LpipsNet.convOut(w, c.k(), c.stride(), c.pad());
            } else if (layer instanceof LpipsNet.Relu) {
                v = sd.nn().relu(v, 0.0);
            } else if (layer instanceof LpipsNet.MaxPool p) {
                int oh = LpipsNet.poolOut(h, p), ow = LpipsNet.poolOut(w, p);
                v = maxPool(v, p, h, w);
                h = oh;
                w = ow;
            } else if (layer instanceof LpipsNet.Fire f) {
                SDVariable s = sd.nn().relu(convBias(sd, v, f.name() + ".squeeze", 1, 1, 0, dt), 0.0);
                SDVariable e1 = sd.nn().relu(convBias(sd, s, f.name() + ".expand1x1", 1, 1, 0, dt), 0.0);
                SDVariable e3 = sd.nn().relu(convBias(sd, s, f.name() + ".expand3x3", 3, 1, 1, dt), 0.0);
                v = sd.concat(1, e1, e3);
            } else if (layer instanceof LpipsNet.Tap) {
                taps.add(v);
            }
        }
        return taps;
    }

    /**
     * torch {@code MaxPool2d(k, stride, padding=0, ceil_mode)} on a [N, C, h, w] input: in ceil mode
     * the right/bottom are padded with -1e30 so the extra windows exist, then a VALID max pool.
     */
    static SDVariable maxPool(SDVariable v, LpipsNet.MaxPool p, int h, int w) {
        SameDiff sd = v.getSameDiff();
        int oh = LpipsNet.poolOut(h, p), ow = LpipsNet.poolOut(w, p);
        int padH = Math.max((oh - 1) * p.stride() + p.k() - h, 0), padW = Math.max((ow - 1) * p.stride() + p.k() - w, 0);
        if (padH > 0 || padW > 0) {
            INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, padH}, {0, padW}});
            v = sd.nn().pad(v, sd.constant(pads), PadMode.CONSTANT, POOL_PAD_VALUE);
        }
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(p.k()).kW(p.k()).sH(p.stride()).sW(p.stride())
                .pH(0).pW(0).dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(false).build();
        return sd.cnn().maxPooling2d(v, cfg);
    }

    private SDVariable convBias(SameDiff sd, SDVariable x, String name, int k, int stride, int pad, DataType dt) {
        SDVariable y = Conv2dResample.conv(x, weight(sd, name + ".weight", dt), k, k, stride, pad, pad);
        return y.add(weight(sd, name + ".bias", dt));
    }

    /** f / (sqrt(max(sum_c f^2, 1e-30)) + 1e-10), over dimension 1. */
    static SDVariable unitNormalize(SDVariable f) {
        SameDiff sd = f.getSameDiff();
        SDVariable ss = sd.sum(f.mul(f), true, 1);
        SDVariable norm = sd.math().sqrt(sd.math().max(ss, sd.constant(Nd4j.scalar(f.dataType(), NORM_FLOOR))));
        return f.div(norm.add(EPS));
    }

    /**
     * Bilinear resize of {@code m [N, h, w]} to [N, H, W] with torch's {@code align_corners=False}
     * rule, as {@code A_h m A_w^T} (two matmuls, differentiable).
     */
    static SDVariable upsample(SameDiff sd, SDVariable m, int h, int w, int outH, int outW, DataType dt) {
        if (h == outH && w == outW) return m;
        SDVariable awT = sd.constant(bilinearMatrix(w, outW, dt).transpose().dup('c'));  // [w, W]
        SDVariable ahT = sd.constant(bilinearMatrix(h, outH, dt).transpose().dup('c'));  // [h, H]
        SDVariable t = sd.mmul(m.reshape(-1, w), awT);                     // [N*h, W]
        t = sd.permute(t.reshape(-1, h, outW), 0, 2, 1);                   // [N, W, h]
        t = sd.mmul(t.reshape(-1, h), ahT);                                // [N*W, H]
        return sd.permute(t.reshape(-1, outW, outH), 0, 2, 1);             // [N, H, W]
    }

    /**
     * [out, in] interpolation matrix of torch's bilinear {@code align_corners=False} resize given an
     * output size: {@code src = max((dst + 0.5) * in / out - 0.5, 0)}, neighbours {@code floor(src)}
     * and {@code min(floor(src) + 1, in - 1)}.
     */
    public static INDArray bilinearMatrix(int in, int out, DataType dt) {
        double[][] a = new double[out][in];
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double src = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double l1 = src - i0, l0 = 1.0 - l1;
            a[d][i0] += l0;
            a[d][i1] += l1;
        }
        return Nd4j.create(a).castTo(dt);
    }

    private SDVariable weight(SameDiff sd, String name, DataType dt) {
        INDArray a = graphWeights.get(name);
        if (a == null) throw new IllegalStateException("LPIPS-" + net.id() + ": no tensor " + name);
        return constant(sd, name, a.castTo(dt));
    }

    /** One frozen constant per (net, tensor, dtype) and graph, shared by every LPIPS call in it. */
    private SDVariable constant(SameDiff sd, String name, INDArray a) {
        String n = "lpips_" + net.id() + "_" + a.dataType().name().toLowerCase() + "_" + System.identityHashCode(this) + "/" + name;
        if (sd.hasVariable(n)) return sd.getVariable(n);
        return sd.constant(n, a);
    }

    private static void checkStatic(SDVariable v, String what, int height, int width) {
        long[] s = staticShape(v);
        if (s == null) return;
        if (s.length != 4 || (s[1] >= 0 && s[1] != 3) || (s[2] >= 0 && s[2] != height) || (s[3] >= 0 && s[3] != width))
            throw new IllegalArgumentException("LPIPS: " + what + " must be [N, 3, " + height + ", " + width + "], got " + Arrays.toString(s));
    }

    private static long[] staticShape(SDVariable v) {
        try {
            long[] s = v.getShape();
            if (s != null) return s;
            if (v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.VARIABLE
                    && v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.CONSTANT) return null;
            INDArray a = v.getArr();
            return a == null ? null : a.shape();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
