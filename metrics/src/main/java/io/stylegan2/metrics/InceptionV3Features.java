package io.stylegan2.metrics;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.ops.Conv2dResample;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inception-v3 pool3 features (2048-d, the output of the final average pooling) in SameDiff, with
 * torchvision's {@code inception_v3} module layout and tensor names ({@code Conv2d_1a_3x3.conv.weight},
 * {@code Mixed_5b.branch1x1.bn.running_var}, ...; every BasicConv2d is conv without bias + BatchNorm
 * (eps 0.001, running statistics, folded into the conv at load time) + ReLU).
 *
 * <p>Two variants:
 * <ul>
 *   <li>{@link Variant#FID} ({@value #FID_NAME}): pytorch-fid's {@code InceptionV3([3])} with the FID
 *   weights ({@code pt_inception-2015-12-05-6726825d.pth}, the TensorFlow FID network ported): in
 *   Mixed_5b/5c/5d (FIDInceptionA), 6b..6e (FIDInceptionC) and 7b (FIDInceptionE_1) the pool branch's
 *   3x3 average pooling excludes the padded zeros ({@code count_include_pad=False}); in Mixed_7c
 *   (FIDInceptionE_2) it is a 3x3 <em>max</em> pooling (stride 1, pad 1). This is the extractor that
 *   makes {@link FrechetDistance} an FID comparable with published numbers.</li>
 *   <li>{@link Variant#TORCHVISION} ({@code "inception-v3-torchvision"}): torchvision's blocks
 *   (average pooling counting the padded zeros everywhere) for torchvision's ImageNet weights. Not FID.</li>
 * </ul>
 *
 * <p>Input handling (both variants): images {@code [N,3,H,W]} in [-1, 1] are resized to 299x299
 * bilinearly ({@code F.interpolate(mode='bilinear', align_corners=False)}, no antialiasing; identity
 * at 299) and fed to the network as is. pytorch-fid resizes [0,1] images and then maps them to
 * [-1,1]; bilinear interpolation commutes with that affine map, so the result is the same.
 * torchvision's {@code transform_input=True} turns ImageNet-normalised inputs back into the same
 * [-1,1] scale. Note that pytorch-fid's own image loading (8-bit PNGs via {@code ToTensor}) quantises
 * to 1/255; feed quantised images for exact parity with its scores.
 *
 * <p>Tested against pytorch-fid's {@code InceptionV3} and torchvision's modules (float64) with
 * deterministic weights (the test class {@code InceptionV3Weights}) on two 64x64 images resized to 299.
 * Weights: convert torchvision's or pytorch-fid's {@code .pth} with
 * {@code io.stylegan2.converter.InceptionConverter} and {@link #load(Path)} the safetensors file.
 *
 * <p><b>Thread safety:</b> Thread-safe: {@link #features} runs are serialised (one at a time per
 * instance) on the graph's lock; the static methods are stateless. {@link Variant} is immutable.
 */
public final class InceptionV3Features implements FeatureExtractor {
    /** The extractor name that makes a Frechet distance "FID" (pytorch-fid's FID-Inception weights and blocks). */
    public static final String FID_NAME = "inception-v3-fid";
    public static final int RESOLUTION = 299;
    public static final int FEATURE_DIM = 2048;
    /** Metadata key of the converted safetensors file naming the variant ("fid" or "torchvision"). */
    public static final String VARIANT_KEY = "inception_variant";
    static final double BN_EPS = 1e-3;

    public enum Variant {
        FID("fid", FID_NAME), TORCHVISION("torchvision", "inception-v3-torchvision");
        private final String id, extractorName;
        Variant(String id, String extractorName) { this.id = id; this.extractorName = extractorName; }
        public String id() { return id; }
        public String extractorName() { return extractorName; }
        public static Variant of(String id) {
            for (Variant v : values()) if (v.id.equals(id)) return v;
            throw new IllegalArgumentException("unknown Inception variant '" + id + "' (fid or torchvision)");
        }
    }

    private final Variant variant;
    private final SameDiff sd;
    private final String output;

    private InceptionV3Features(Variant variant, SameDiff sd, String output) {
        this.variant = variant;
        this.sd = sd;
        this.output = output;
    }

    /** Loads a file written by {@code InceptionConverter} (variant from its metadata). */
    public static InceptionV3Features load(Path safetensors) throws IOException {
        Safetensors.Contents c = Safetensors.read(safetensors);
        String v = c.metadata().get(VARIANT_KEY);
        if (v == null) throw new IOException(safetensors + ": no '" + VARIANT_KEY + "' metadata; not an InceptionConverter output");
        try {
            return fromStateDict(c.tensors(), Variant.of(v));
        } catch (IllegalArgumentException e) {
            throw new IOException(safetensors + ": " + e.getMessage(), e);
        }
    }

    /** Builds the network from torchvision-named tensors in PyTorch layouts (extra tensors are ignored). */
    public static InceptionV3Features fromStateDict(Map<String, INDArray> tensors, Variant variant) {
        Engine.get();
        SameDiff sd = SameDiff.create();
        Net net = new Net(sd, tensors, variant);
        SDVariable x = sd.placeHolder("img", DataType.FLOAT, -1, 3, RESOLUTION, RESOLUTION);
        SDVariable f = net.forward(x);
        f = sd.identity("features", f);
        return new InceptionV3Features(variant, sd, f.name());
    }

    /** Names and PyTorch shapes of every tensor the network reads (conv weights and BN parameters/statistics). */
    public static Map<String, long[]> parameterShapes() {
        Net net = new Net(null, null, Variant.FID);
        net.forward(null);
        return net.shapes;
    }

    public Variant variant() { return variant; }

    @Override public String name() { return variant.extractorName(); }

    @Override public int featureDim() { return FEATURE_DIM; }

    @Override
    public INDArray features(INDArray images) {
        if (images.rank() != 4 || images.size(1) != 3)
            throw new IllegalArgumentException("expected images [N,3,H,W], got " + java.util.Arrays.toString(images.shape()));
        INDArray x = resizeBilinear(images.castTo(DataType.FLOAT), RESOLUTION, RESOLUTION);
        synchronized (sd) {
            return sd.output(Map.of("img", x), output).get(output).reshape(images.size(0), FEATURE_DIM).dup();
        }
    }

    /**
     * Bilinear resize as {@code F.interpolate(x, size, mode='bilinear', align_corners=False)}
     * (half-pixel centres, source coordinates below 0 clamped, no antialiasing); float32.
     */
    public static INDArray resizeBilinear(INDArray x, int outH, int outW) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        if (h == outH && w == outW) return x;
        float[] in = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[n * c * outH * outW];
        int[] y0 = new int[outH], y1 = new int[outH], x0 = new int[outW], x1 = new int[outW];
        double[] ly = new double[outH], lx = new double[outW];
        coords(h, outH, y0, y1, ly);
        coords(w, outW, x0, x1, lx);
        for (int p = 0; p < n * c; p++) {
            int ib = p * h * w, ob = p * outH * outW;
            for (int i = 0; i < outH; i++) {
                int r0 = ib + y0[i] * w, r1 = ib + y1[i] * w;
                double a = ly[i];
                for (int j = 0; j < outW; j++) {
                    double b = lx[j];
                    double top = in[r0 + x0[j]] * (1 - b) + in[r0 + x1[j]] * b;
                    double bot = in[r1 + x0[j]] * (1 - b) + in[r1 + x1[j]] * b;
                    out[ob + i * outW + j] = (float) (top * (1 - a) + bot * a);
                }
            }
        }
        return Nd4j.create(out, new long[]{n, c, outH, outW}, 'c');
    }

    private static void coords(int in, int out, int[] i0, int[] i1, double[] lambda) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int f = Math.min((int) Math.floor(s), in - 1);
            i0[d] = f;
            i1[d] = Math.min(f + 1, in - 1);
            lambda[d] = s - f;
        }
    }

    /** Builds the graph (or, with a null SameDiff, only records parameter shapes). */
    private static final class Net {
        final SameDiff sd;
        final Map<String, INDArray> t;
        final Variant variant;
        final Map<String, long[]> shapes = new LinkedHashMap<>();

        Net(SameDiff sd, Map<String, INDArray> t, Variant variant) {
            this.sd = sd;
            this.t = t;
            this.variant = variant;
        }

        SDVariable forward(SDVariable x) {
            x = conv("Conv2d_1a_3x3", x, 3, 32, 3, 3, 2, 0, 0);
            x = conv("Conv2d_2a_3x3", x, 32, 32, 3, 3, 1, 0, 0);
            x = conv("Conv2d_2b_3x3", x, 32, 64, 3, 3, 1, 1, 1);
            x = maxPool(x, 2, 0);
            x = conv("Conv2d_3b_1x1", x, 64, 80, 1, 1, 1, 0, 0);
            x = conv("Conv2d_4a_3x3", x, 80, 192, 3, 3, 1, 0, 0);
            x = maxPool(x, 2, 0);
            x = inceptionA("Mixed_5b", x, 192, 32);
            x = inceptionA("Mixed_5c", x, 256, 64);
            x = inceptionA("Mixed_5d", x, 288, 64);
            x = inceptionB("Mixed_6a", x, 288);
            x = inceptionC("Mixed_6b", x, 768, 128);
            x = inceptionC("Mixed_6c", x, 768, 160);
            x = inceptionC("Mixed_6d", x, 768, 160);
            x = inceptionC("Mixed_6e", x, 768, 192);
            x = inceptionD("Mixed_7a", x, 768);
            x = inceptionE("Mixed_7b", x, 1280, false);
            x = inceptionE("Mixed_7c", x, 2048, variant == Variant.FID);
            return x == null ? null : sd.mean(x, 2, 3);
        }

        /** BasicConv2d: conv (no bias) + BN (eps 1e-3, folded) + ReLU. */
        SDVariable conv(String name, SDVariable x, int in, int out, int kh, int kw, int stride, int ph, int pw) {
            shapes.put(name + ".conv.weight", new long[]{out, in, kh, kw});
            for (String s : new String[]{"weight", "bias", "running_mean", "running_var"}) shapes.put(name + ".bn." + s, new long[]{out});
            if (sd == null) return null;
            INDArray w = tensor(name + ".conv.weight", out, in, kh, kw).castTo(DataType.DOUBLE);
            INDArray g = tensor(name + ".bn.weight", out).castTo(DataType.DOUBLE), b = tensor(name + ".bn.bias", out).castTo(DataType.DOUBLE);
            INDArray m = tensor(name + ".bn.running_mean", out).castTo(DataType.DOUBLE), v = tensor(name + ".bn.running_var", out).castTo(DataType.DOUBLE);
            INDArray scale = g.div(Nd4j.math().sqrt(v.add(BN_EPS)));
            INDArray wf = w.reshape(out, (long) in * kh * kw).mulColumnVector(scale.reshape(out, 1)).reshape(out, in, kh, kw);
            INDArray bias = b.sub(m.mul(scale));
            SDVariable wv = sd.constant(name + "/w", Conv2dResample.oihwToYxio(wf).castTo(DataType.FLOAT));
            SDVariable bv = sd.constant(name + "/b", bias.castTo(DataType.FLOAT));
            SDVariable y = Conv2dResample.conv(x, wv, kh, kw, stride, ph, pw);
            return sd.nn().relu(sd.nn().biasAdd(y, bv, true), 0.0);
        }

        INDArray tensor(String name, long... shape) {
            INDArray a = t.get(name);
            if (a == null) throw new IllegalArgumentException("missing tensor " + name);
            if (!java.util.Arrays.equals(a.shape(), shape))
                throw new IllegalArgumentException("tensor " + name + " has shape " + java.util.Arrays.toString(a.shape()) + ", expected " + java.util.Arrays.toString(shape));
            return a;
        }

        SDVariable maxPool(SDVariable x, int stride, int pad) {
            if (sd == null) return null;
            return sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride).pH(pad).pW(pad)
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        }

        /** 3x3 stride 1 pad 1 average pooling; FID excludes the padded zeros from the divisor, torchvision counts them. */
        SDVariable avgPool3(SDVariable x) {
            if (sd == null) return null;
            boolean exclude = variant == Variant.FID;
            return sd.cnn().avgPooling2d(x, Pooling2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1)
                    .paddingMode(PaddingMode.VALID).isNHWC(false)
                    .divisor(exclude ? Pooling2D.Divisor.EXCLUDE_PADDING : Pooling2D.Divisor.INCLUDE_PADDING)
                    .extra(exclude ? 0 : 1).build());
        }

        SDVariable cat(SDVariable... xs) {
            return sd == null ? null : sd.concat(1, xs);
        }

        SDVariable inceptionA(String n, SDVariable x, int in, int poolFeatures) {
            SDVariable b1 = conv(n + ".branch1x1", x, in, 64, 1, 1, 1, 0, 0);
            SDVariable b5 = conv(n + ".branch5x5_1", x, in, 48, 1, 1, 1, 0, 0);
            b5 = conv(n + ".branch5x5_2", b5, 48, 64, 5, 5, 1, 2, 2);
            SDVariable b3 = conv(n + ".branch3x3dbl_1", x, in, 64, 1, 1, 1, 0, 0);
            b3 = conv(n + ".branch3x3dbl_2", b3, 64, 96, 3, 3, 1, 1, 1);
            b3 = conv(n + ".branch3x3dbl_3", b3, 96, 96, 3, 3, 1, 1, 1);
            SDVariable bp = conv(n + ".branch_pool", avgPool3(x), in, poolFeatures, 1, 1, 1, 0, 0);
            return cat(b1, b5, b3, bp);
        }

        SDVariable inceptionB(String n, SDVariable x, int in) {
            SDVariable b3 = conv(n + ".branch3x3", x, in, 384, 3, 3, 2, 0, 0);
            SDVariable bd = conv(n + ".branch3x3dbl_1", x, in, 64, 1, 1, 1, 0, 0);
            bd = conv(n + ".branch3x3dbl_2", bd, 64, 96, 3, 3, 1, 1, 1);
            bd = conv(n + ".branch3x3dbl_3", bd, 96, 96, 3, 3, 2, 0, 0);
            return cat(b3, bd, maxPool(x, 2, 0));
        }

        SDVariable inceptionC(String n, SDVariable x, int in, int c7) {
            SDVariable b1 = conv(n + ".branch1x1", x, in, 192, 1, 1, 1, 0, 0);
            SDVariable b7 = conv(n + ".branch7x7_1", x, in, c7, 1, 1, 1, 0, 0);
            b7 = conv(n + ".branch7x7_2", b7, c7, c7, 1, 7, 1, 0, 3);
            b7 = conv(n + ".branch7x7_3", b7, c7, 192, 7, 1, 1, 3, 0);
            SDVariable bd = conv(n + ".branch7x7dbl_1", x, in, c7, 1, 1, 1, 0, 0);
            bd = conv(n + ".branch7x7dbl_2", bd, c7, c7, 7, 1, 1, 3, 0);
            bd = conv(n + ".branch7x7dbl_3", bd, c7, c7, 1, 7, 1, 0, 3);
            bd = conv(n + ".branch7x7dbl_4", bd, c7, c7, 7, 1, 1, 3, 0);
            bd = conv(n + ".branch7x7dbl_5", bd, c7, 192, 1, 7, 1, 0, 3);
            SDVariable bp = conv(n + ".branch_pool", avgPool3(x), in, 192, 1, 1, 1, 0, 0);
            return cat(b1, b7, bd, bp);
        }

        SDVariable inceptionD(String n, SDVariable x, int in) {
            SDVariable b3 = conv(n + ".branch3x3_1", x, in, 192, 1, 1, 1, 0, 0);
            b3 = conv(n + ".branch3x3_2", b3, 192, 320, 3, 3, 2, 0, 0);
            SDVariable b7 = conv(n + ".branch7x7x3_1", x, in, 192, 1, 1, 1, 0, 0);
            b7 = conv(n + ".branch7x7x3_2", b7, 192, 192, 1, 7, 1, 0, 3);
            b7 = conv(n + ".branch7x7x3_3", b7, 192, 192, 7, 1, 1, 3, 0);
            b7 = conv(n + ".branch7x7x3_4", b7, 192, 192, 3, 3, 2, 0, 0);
            return cat(b3, b7, maxPool(x, 2, 0));
        }

        /** InceptionE; {@code maxPoolBranch}: FIDInceptionE_2's 3x3 max pooling (inputs are >= 0, so zero padding equals -inf padding). */
        SDVariable inceptionE(String n, SDVariable x, int in, boolean maxPoolBranch) {
            SDVariable b1 = conv(n + ".branch1x1", x, in, 320, 1, 1, 1, 0, 0);
            SDVariable b3 = conv(n + ".branch3x3_1", x, in, 384, 1, 1, 1, 0, 0);
            b3 = cat(conv(n + ".branch3x3_2a", b3, 384, 384, 1, 3, 1, 0, 1), conv(n + ".branch3x3_2b", b3, 384, 384, 3, 1, 1, 1, 0));
            SDVariable bd = conv(n + ".branch3x3dbl_1", x, in, 448, 1, 1, 1, 0, 0);
            bd = conv(n + ".branch3x3dbl_2", bd, 448, 384, 3, 3, 1, 1, 1);
            bd = cat(conv(n + ".branch3x3dbl_3a", bd, 384, 384, 1, 3, 1, 0, 1), conv(n + ".branch3x3dbl_3b", bd, 384, 384, 3, 1, 1, 1, 0));
            SDVariable pooled = maxPoolBranch ? maxPool(x, 1, 1) : avgPool3(x);
            SDVariable bp = conv(n + ".branch_pool", pooled, in, 192, 1, 1, 1, 0, 0);
            return cat(b1, b3, bd, bp);
        }
    }
}
