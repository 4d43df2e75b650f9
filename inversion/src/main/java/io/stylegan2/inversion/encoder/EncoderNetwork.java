package io.stylegan2.inversion.encoder;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The encoder's parameters and its graph (see {@link EncoderConfig} for the architecture). Conv
 * weights are ND4J {@code [kH, kW, inC, outC]}, linear weights {@code [in, out]}, biases {@code [C]}.
 * Op outputs have no static shape in SameDiff M2.1, so every reshape uses sizes from the config.
 *
 * <p><b>Thread safety:</b> Stateless: {@link #init} is safe to call from any thread; {@link #build}
 * adds ops to the caller's SameDiff, which is not thread-safe, so build one graph from one thread.
 */
public final class EncoderNetwork {
    static final double ALPHA = 0.2;
    private static final String[] GROUPS = {"coarse", "medium", "fine"};

    private EncoderNetwork() {}

    /**
     * Seeded initial parameters: He-normal convs (residual second convs scaled by 0.1), zero
     * biases, and zero final linear layers, so a fresh encoder predicts a zero offset (the first
     * ReStyle iteration starts at, and initially stays at, {@code w_avg}).
     */
    public static Map<String, INDArray> init(EncoderConfig c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray> p = new LinkedHashMap<>();
        int in = 2 * c.imgChannels();
        if (c.backbone() == EncoderBackbone.IR_SE) {
            IrSe.initStem(p, rnd, in, c.channels(0));
            for (int s = 1; s <= c.stages(); s++) {
                IrSe.initBlock(p, rnd, "s" + s + ".b0", c.channels(s - 1), c.channels(s));
                for (int r = 1; r <= c.resBlocks(); r++) IrSe.initBlock(p, rnd, "s" + s + ".b" + r, c.channels(s), c.channels(s));
            }
        } else {
            conv(p, rnd, "stem", 3, in, c.channels(0), 1.0);
            for (int s = 1; s <= c.stages(); s++) {
                conv(p, rnd, "s" + s + ".down", 3, c.channels(s - 1), c.channels(s), 1.0);
                for (int r = 0; r < c.resBlocks(); r++) {
                    conv(p, rnd, "s" + s + ".res" + r + ".c0", 3, c.channels(s), c.channels(s), 1.0);
                    conv(p, rnd, "s" + s + ".res" + r + ".c1", 3, c.channels(s), c.channels(s), 0.1);
                }
            }
        }
        for (int g = 0; g <= pyramidTop(c); g++) {
            int s = c.stages() - g;     // 4x4, 8x8, 16x16
            conv(p, rnd, "lat." + GROUPS[g], 1, c.channels(s), c.headChannels(), 1.0);
            if (rows(c, g) == 0) continue;
            for (int k = 0; k < c.headConvs(); k++)
                conv(p, rnd, "head." + GROUPS[g] + ".c" + k, 3, c.headChannels(), c.headChannels(), 1.0);
            p.put("head." + GROUPS[g] + ".fc.w", Nd4j.zeros(DataType.FLOAT, c.headChannels(), (long) rows(c, g) * c.wDim()));
            p.put("head." + GROUPS[g] + ".fc.b", Nd4j.zeros(DataType.FLOAT, (long) rows(c, g) * c.wDim()));
        }
        if (c.padded()) PaddingBranch.init(p, rnd, c);
        return p;
    }

    /** The finest pyramid level built: the finest with rows, and at least the medium level for the padding branch. */
    static int pyramidTop(EncoderConfig c) {
        return Math.max(top(c), c.padded() ? 1 : 0);
    }

    /** Whether a parameter is a BatchNorm running statistic (kept up to date by training, not by the optimiser). */
    public static boolean isStatistic(String name) {
        return name.endsWith(".mean") || name.endsWith(".var");
    }

    /** The finest pyramid level that has rows. */
    static int top(EncoderConfig c) {
        int top = 0;
        for (int g = 0; g < 3; g++) if (rows(c, g) > 0) top = g;
        return top;
    }

    static int rows(EncoderConfig c, int group) {
        return switch (group) {
            case 0 -> c.coarseRows();
            case 1 -> c.mediumRows();
            default -> c.fineRows();
        };
    }

    private static void conv(Map<String, INDArray> p, SplittableRandom rnd, String name, int k, int in, int out, double scale) {
        p.put(name + ".w", normal(rnd, Math.sqrt(2.0 / (1 + ALPHA * ALPHA) / (k * k * in)) * scale, k, k, in, out));
        p.put(name + ".b", Nd4j.zeros(DataType.FLOAT, out));
    }

    /** Seeded N(0, std^2) values of a shape, float32. */
    static INDArray normal(SplittableRandom rnd, double std, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (gauss(rnd) * std);
        return Nd4j.create(v, shape, DataType.FLOAT);
    }

    private static double gauss(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * What {@link #build} adds to a graph.
     *
     * @param ws          the W+ offset {@code [N, numWs, wDim]}
     * @param padding     border maps {@code [N, C, r+2, r+2]} by padded layer (empty without a padding branch)
     * @param constOffset offset of the 4x4 constant input {@code [N, C, 4, 4]}, or null without a padding branch
     * @param batchStats  the batch mean and variance {@code [1, C, 1, 1]} of each BatchNorm, by its name (training graphs only)
     * @param batchPixels the spatial size {@code H * W} of each BatchNorm's input, by its name (training graphs only)
     */
    public record Outputs(SDVariable ws, Map<String, SDVariable> padding, SDVariable constOffset, Map<String, SDVariable[]> batchStats,
                          Map<String, Integer> batchPixels) {}

    /**
     * Builds the encoder into {@code x}'s graph.
     *
     * @param x        {@code [N, 2 * imgChannels, R, R]}: target and current reconstruction
     * @param params   graph variable for each parameter name
     * @param training BatchNorm on batch statistics (else on the running statistics among {@code params})
     */
    public static Outputs build(EncoderConfig c, SDVariable x, Function<String, SDVariable> params, boolean training) {
        SameDiff sd = x.getSameDiff();
        Map<String, SDVariable[]> stats = new LinkedHashMap<>();
        Map<String, Integer> pixels = new LinkedHashMap<>();
        IrSe irse = new IrSe(params, training, stats, pixels);
        int res = c.resolution();
        SDVariable h;
        SDVariable[] maps = new SDVariable[c.stages() + 1];
        if (c.backbone() == EncoderBackbone.IR_SE) {
            h = irse.stem(x, c.channels(0), res);
            maps[0] = h;
            for (int s = 1; s <= c.stages(); s++) {
                h = irse.block(h, "s" + s + ".b0", c.channels(s - 1), c.channels(s), 2, res >> (s - 1));
                for (int r = 1; r <= c.resBlocks(); r++) h = irse.block(h, "s" + s + ".b" + r, c.channels(s), c.channels(s), 1, res >> s);
                maps[s] = h;
            }
        } else {
            h = act(conv(x, params, "stem", 3, 1));
            maps[0] = h;
            for (int s = 1; s <= c.stages(); s++) {
                h = act(conv(h, params, "s" + s + ".down", 3, 2));
                for (int r = 0; r < c.resBlocks(); r++) {
                    String n = "s" + s + ".res" + r;
                    SDVariable t = act(conv(h, params, n + ".c0", 3, 1));
                    h = act(h.add(conv(t, params, n + ".c1", 3, 1)));
                }
                maps[s] = h;
            }
        }
        // top-down pyramid: coarse (4x4) -> medium (8x8) -> fine (16x16)
        SDVariable[] pyr = new SDVariable[3];
        SDVariable prev = null;
        for (int g = 0; g <= pyramidTop(c); g++) {
            int r = 4 << g;
            SDVariable lat = conv(maps[c.stages() - g], params, "lat." + GROUPS[g], 1, 1);
            SDVariable cur = prev == null ? lat : lat.add(up2(prev, c.headChannels(), r / 2));
            pyr[g] = cur;
            prev = cur;
        }
        SDVariable out = null;
        for (int g = 0; g < 3; g++) {
            int n = rows(c, g);
            if (n == 0) continue;
            SDVariable f = pyr[g];
            for (int k = 0; k < c.headConvs(); k++) f = act(conv(f, params, "head." + GROUPS[g] + ".c" + k, 3, 2));
            SDVariable pooled = sd.mean(f, false, 2, 3);                                   // [N, headChannels]
            SDVariable lin = pooled.mmul(params.apply("head." + GROUPS[g] + ".fc.w")).add(params.apply("head." + GROUPS[g] + ".fc.b"));
            SDVariable d = lin.reshape(-1, n, c.wDim());
            out = out == null ? d : sd.concat(1, out, d);
        }
        SDVariable ws = out.mul(c.outputScale());
        if (!c.padded()) return new Outputs(ws, Map.of(), null, stats, pixels);
        PaddingBranch.Maps pm = PaddingBranch.build(c, pyr[1], irse);
        return new Outputs(ws, pm.padding(), pm.constOffset(), stats, pixels);
    }

    static SDVariable conv(SDVariable x, Function<String, SDVariable> params, String name, int k, int stride) {
        SDVariable w = params.apply(name + ".w");
        SDVariable y = Conv2dResample.conv(x, w, k, k, stride, k / 2, k / 2);
        return y.add(params.apply(name + ".b").reshape(1, -1, 1, 1));
    }

    private static SDVariable act(SDVariable x) {
        return BiasAct.biasAct(x, null, Activation.LRELU, ALPHA, 1.0, null);
    }

    /** Nearest 2x upsampling of {@code [N, C, r, r]} (reshape and broadcast, differentiable). */
    static SDVariable up2(SDVariable x, int channels, int r) {
        SameDiff sd = x.getSameDiff();
        SDVariable ones = sd.constant(Nd4j.ones(x.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT, 1, 1, 1, 2, 1, 2));
        return x.reshape(-1, channels, r, 1, r, 1).mul(ones).reshape(-1, channels, 2 * r, 2 * r);
    }
}
