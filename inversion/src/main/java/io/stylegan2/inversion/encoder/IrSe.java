package io.stylegan2.inversion.encoder;

import io.stylegan2.core.ops.Conv2dResample;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * pSp's and PadInv's IR-SE bottleneck ({@link EncoderBackbone#IR_SE}) and its parts, built into a
 * graph: BatchNorm (batch statistics when training, running statistics otherwise, eps 1e-5),
 * PReLU (one slope per channel, initialised at 0.25 as PyTorch), squeeze-excitation (reduction 16,
 * no biases) and the block
 * {@code BN -> conv3x3 -> PReLU -> conv3x3 (stride) -> BN -> SE} plus its shortcut (subsampling
 * when the width stays, else a strided 1x1 conv and BN). Convs have no bias, as in pSp.
 *
 * <p>Parameters of a block {@code n}: {@code n.bn0.*}, {@code n.c0.w}, {@code n.prelu}, {@code n.c1.w},
 * {@code n.bn1.*}, {@code n.se.w1}, {@code n.se.w2}, and with a width change {@code n.sc.w},
 * {@code n.scbn.*}; a BatchNorm {@code b} has {@code b.gamma}, {@code b.beta} and the running
 * statistics {@code b.mean}, {@code b.var} ({@link EncoderNetwork#isStatistic}).
 */
final class IrSe {
    static final double EPS = 1e-5;
    static final int SE_REDUCTION = 16;

    private final Function<String, SDVariable> params;
    private final boolean training;
    private final Map<String, SDVariable[]> stats;
    private final Map<String, Integer> pixels;

    /**
     * @param stats  receives each BatchNorm's batch mean and variance (training graphs)
     * @param pixels receives each BatchNorm's spatial size {@code H * W} (training graphs)
     */
    IrSe(Function<String, SDVariable> params, boolean training, Map<String, SDVariable[]> stats, Map<String, Integer> pixels) {
        this.params = params;
        this.training = training;
        this.stats = stats;
        this.pixels = pixels;
    }

    /** The parameter lookup the blocks use. */
    Function<String, SDVariable> params() {
        return params;
    }

    // ------------------------------------------------------------------ init

    static void initStem(Map<String, INDArray> p, SplittableRandom rnd, int in, int out) {
        convW(p, rnd, "stem.w", 3, in, out);
        initBn(p, "stem.bn", out);
        p.put("stem.prelu", Nd4j.valueArrayOf(new long[]{out}, 0.25f));
    }

    static void initBlock(Map<String, INDArray> p, SplittableRandom rnd, String n, int in, int out) {
        initBn(p, n + ".bn0", in);
        convW(p, rnd, n + ".c0.w", 3, in, out);
        p.put(n + ".prelu", Nd4j.valueArrayOf(new long[]{out}, 0.25f));
        convW(p, rnd, n + ".c1.w", 3, out, out);
        initBn(p, n + ".bn1", out);
        int mid = Math.max(1, out / SE_REDUCTION);
        p.put(n + ".se.w1", EncoderNetwork.normal(rnd, Math.sqrt(1.0 / out), out, mid));
        p.put(n + ".se.w2", EncoderNetwork.normal(rnd, Math.sqrt(1.0 / mid), mid, out));
        if (in != out) {
            convW(p, rnd, n + ".sc.w", 1, in, out);
            initBn(p, n + ".scbn", out);
        }
    }

    private static void convW(Map<String, INDArray> p, SplittableRandom rnd, String name, int k, int in, int out) {
        p.put(name, EncoderNetwork.normal(rnd, Math.sqrt(2.0 / (k * k * in)), k, k, in, out));
    }

    private static void initBn(Map<String, INDArray> p, String n, int c) {
        p.put(n + ".gamma", Nd4j.ones(DataType.FLOAT, c));
        p.put(n + ".beta", Nd4j.zeros(DataType.FLOAT, c));
        p.put(n + ".mean", Nd4j.zeros(DataType.FLOAT, c));
        p.put(n + ".var", Nd4j.ones(DataType.FLOAT, c));
    }

    // ------------------------------------------------------------------ graph

    /** The stem on {@code x [N, in, r, r]}. */
    SDVariable stem(SDVariable x, int out, int r) {
        return prelu(bn(conv(x, "stem.w", 3, 1), "stem.bn", out, r), "stem.prelu", out);
    }

    /**
     * One block on {@code x [N, in, r, r]}; returns {@code [N, out, r / stride, r / stride]}.
     */
    SDVariable block(SDVariable x, String n, int in, int out, int stride, int r) {
        SDVariable res = bn(x, n + ".bn0", in, r);
        res = prelu(conv(res, n + ".c0.w", 3, 1), n + ".prelu", out);
        res = bn(conv(res, n + ".c1.w", 3, stride), n + ".bn1", out, r / stride);
        res = se(res, n + ".se", out);
        SDVariable sc;
        if (in == out) sc = stride == 1 ? x : subsample(x, in, r);
        else sc = bn(conv(x, n + ".sc.w", 1, stride), n + ".scbn", out, r / stride);
        return res.add(sc);
    }

    /** BatchNorm {@code n} on {@code x [N, c, r, r]}. */
    SDVariable bn(SDVariable x, String n, int c, int r) {
        SameDiff sd = x.getSameDiff();
        SDVariable mean, var;
        if (training) {
            mean = sd.mean(x, true, 0, 2, 3);
            SDVariable d = x.sub(mean);
            var = sd.mean(d.mul(d), true, 0, 2, 3);
            stats.put(n, new SDVariable[]{mean, var});
            pixels.put(n, r * r);
        } else {
            mean = params.apply(n + ".mean").reshape(1, c, 1, 1);
            var = params.apply(n + ".var").reshape(1, c, 1, 1);
        }
        SDVariable scale = sd.math().rsqrt(var.add(EPS)).mul(params.apply(n + ".gamma").reshape(1, c, 1, 1));
        return x.sub(mean).mul(scale).add(params.apply(n + ".beta").reshape(1, c, 1, 1));
    }

    SDVariable prelu(SDVariable x, String name, int c) {
        SameDiff sd = x.getSameDiff();
        SDVariable a = params.apply(name).reshape(1, c, 1, 1);
        return sd.nn().relu(x, 0).sub(sd.nn().relu(x.neg(), 0).mul(a));
    }

    private SDVariable se(SDVariable x, String n, int c) {
        SameDiff sd = x.getSameDiff();
        SDVariable s = sd.mean(x, false, 2, 3);                                     // [N, C]
        s = sd.nn().relu(s.mmul(params.apply(n + ".w1")), 0);
        s = sd.nn().sigmoid(s.mmul(params.apply(n + ".w2")));
        return x.mul(s.reshape(-1, c, 1, 1));
    }

    private SDVariable conv(SDVariable x, String name, int k, int stride) {
        return Conv2dResample.conv(x, params.apply(name), k, k, stride, k / 2, k / 2);
    }

    /** Every second pixel of {@code [N, c, r, r]}: PyTorch's {@code MaxPool2d(1, 2)}. */
    private static SDVariable subsample(SDVariable x, int c, int r) {
        return x.reshape(-1, c, r / 2, 2, r / 2, 2).get(SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.point(0), SDIndex.all(), SDIndex.point(0))
                .reshape(-1, c, r / 2, r / 2);
    }
}
