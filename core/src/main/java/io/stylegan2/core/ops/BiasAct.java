package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.BiasActPath;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;

/**
 * Bias + activation + gain + clamp (NVlabs {@code bias_act}, reference path):
 * {@code y = clamp(act(x + b) * gain, -clamp, clamp)}.
 *
 * <p>{@code x} is {@code [N, C, H, W]} or {@code [N, C]} (any rank >= 2; the bias is broadcast on
 * dimension 1), {@code b} is {@code [C]} or null. The rank of {@code x} is taken from its static
 * shape; for op outputs (whose shape SameDiff does not know at build time) rank 4 is assumed unless
 * the {@code rankIfUnknown} overload says otherwise. Gradients flow to {@code x} and {@code b}.
 *
 * <p>Two formulations, tested equal (values and gradients): the reference one of stock SameDiff ops
 * (bias add, leaky ReLU, scale, clip: three or four native ops and as many fresh arrays each way),
 * and, where Java kernels are active and there is a bias, one fused Java kernel each way
 * ({@link FusedBiasAct}); the engine setting {@code biasAct}
 * ({@link io.stylegan2.core.engine.EngineOptions#biasAct()}) chooses, at graph build time.
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread.
 */
public final class BiasAct {
    private static final String OP = "biasAct";

    private BiasAct() {}

    /**
     * The slope for negative inputs that the backward of {@link #biasAct} (with a bias, built now)
     * applies for the leaky ReLU's {@code alpha}: {@code alpha} itself for the fused kernel, and
     * {@code (float) alpha} for the reference formulation, whose libnd4j {@code lrelu_bp} holds
     * alpha as a float (the forward uses alpha itself). For hand-written backward passes that must
     * equal SameDiff's gradient of this op to float64 rounding.
     */
    public static double lreluBackwardSlope(double alpha) {
        return fused() ? alpha : (double) (float) alpha;
    }

    /** Whether ops built now (on this thread) take the fused kernel (for a layer with a bias). */
    private static boolean fused() {
        return Engine.current().biasAct() == BiasActPath.AUTO && Engine.get().patches().fusedBiasAct();
    }

    /** With the activation's default alpha and gain and no clamp. */
    public static SDVariable biasAct(SDVariable x, SDVariable b, Activation act) {
        return biasAct(x, b, act, act.defaultAlpha(), act.defaultGain(), null);
    }

    /** With the activation's default alpha. */
    public static SDVariable biasAct(SDVariable x, SDVariable b, Activation act, double gain, Double clamp) {
        return biasAct(x, b, act, act.defaultAlpha(), gain, clamp);
    }

    /**
     * @param x     {@code [N, C, ...]}
     * @param b     {@code [C]} or null
     * @param act   activation
     * @param alpha leaky slope (ignored for LINEAR)
     * @param gain  output scale, applied after the activation
     * @param clamp null = no clamping; else output clamped to {@code [-clamp, clamp]} (must be >= 0)
     */
    public static SDVariable biasAct(SDVariable x, SDVariable b, Activation act, double alpha, double gain, Double clamp) {
        return biasAct(x, b, 4, act, alpha, gain, clamp);
    }

    /**
     * As {@link #biasAct(SDVariable, SDVariable, Activation, double, double, Double)}, with the rank
     * of {@code x} to assume when SameDiff does not know its shape (op outputs): 4 for
     * {@code [N, C, H, W]}, 2 for {@code [N, C]}. A known static shape always wins.
     */
    public static SDVariable biasAct(SDVariable x, SDVariable b, int rankIfUnknown, Activation act, double alpha, double gain, Double clamp) {
        if (clamp != null && !(clamp >= 0)) throw new IllegalArgumentException(OP + ": clamp must be >= 0, got " + clamp);
        SameDiff sd = x.getSameDiff();
        if (b != null) {
            long[] xs = Shapes.staticShapeOrNull(x);
            long[] bs = Shapes.staticShapeOrNull(b);
            if (xs != null && xs.length < 2) throw new IllegalArgumentException(OP + ": x must have rank >= 2, got shape " + Arrays.toString(xs));
            if (bs != null && bs.length != 1) throw new IllegalArgumentException(OP + ": b must be 1-D [C], got shape " + Arrays.toString(bs));
            if (xs != null && bs != null && xs[1] >= 0 && xs[1] != bs[0])
                throw new IllegalArgumentException(OP + ": bias " + Arrays.toString(bs) + " does not match dim 1 of x " + Arrays.toString(xs));
            if (fused() && (act == Activation.LINEAR || act == Activation.LRELU && alpha >= 0 && alpha <= 1))
                return FusedBiasAct.of(x, b, act == Activation.LINEAR ? 1.0 : alpha, gain, clamp);
            int r = xs != null ? xs.length : rankIfUnknown;
            long[] bShape = new long[r];
            Arrays.fill(bShape, 1);
            bShape[1] = -1;
            x = Broadcast.add(x, sd.reshape(b, bShape), bShape); // bShape: 1 everywhere but -1 on dim 1
        }
        switch (act) {
            case LINEAR:
                break;
            case LRELU:
                x = sd.nn().leakyRelu(x, alpha);
                break;
            default:
                throw new IllegalArgumentException(OP + ": unsupported activation " + act);
        }
        if (gain != 1.0) x = x.mul(gain);
        if (clamp != null) x = sd.math().clipByValue(x, -clamp, clamp);
        return x;
    }
}
