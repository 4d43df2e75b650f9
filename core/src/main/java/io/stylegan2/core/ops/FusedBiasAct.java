package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.JavaKernel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAddGrad;

import java.util.List;
import java.util.Map;

/**
 * {@link BiasAct} as one Java kernel ({@link JavaKernel}): {@code y = clamp(lrelu(x + b, alpha) *
 * gain, -clamp, clamp)} in a single pass over {@code x}, and a backward that is one more pass
 * ({@code dx = dy * gain * (y > 0 ? 1 : alpha)}, zero where {@code |y| >= clamp}; {@code db} its
 * sum per channel), where the stock formulation runs three or four libnd4j ops each way with a
 * fresh array per op. The linear activation is {@code alpha = 1}. As in NVlabs' CUDA kernel the
 * backward reads the output {@code y}, not the input. Unlike libnd4j's {@code lrelu_bp}, which
 * holds alpha as a float (slope 0.20000000298 for 0.2, 1.5e-8 off in float64), the backward uses
 * alpha itself, the exact derivative of the forward.
 *
 * <p>The ops are subclasses of ND4J's {@code biasadd} / {@code biasadd_bp} (whose shape functions
 * give the output shapes) carrying {@code [alpha, gain, clamp]} (clamp &lt; 0: none) as
 * floating-point arguments; registered by the {@link Engine} (where Java kernels are active) so
 * they survive SameDiff's op copies.
 * Re-created ops without those arguments (every ordinary bias add) run the stock native op.
 * Tested equal to the stock formulation (values and gradients, float32 and float64).
 *
 * <p><b>Thread safety:</b> Not thread-safe, like every SameDiff op (instances, {@link Grad}
 * included, belong to one graph, built from one thread). {@link #compute} keeps no state in the
 * instance (its scratch is per thread), so running the graph follows SameDiff's own rules.
 */
public final class FusedBiasAct extends BiasAdd implements JavaKernel {
    /** For SameDiff's re-creation of ops (the floating-point arguments say whether it is ours). */
    public FusedBiasAct() {}

    private FusedBiasAct(SameDiff sd, SDVariable x, SDVariable b, double alpha, double gain, double clamp) {
        super(sd, x, b, true);
        addTArgument(alpha, gain, clamp);
    }

    /**
     * {@code clamp(lrelu(x + b, alpha) * gain)} for {@code x [N, C, ...]} and {@code b [C]};
     * {@code alpha} in [0, 1] (1 = linear), {@code clamp} null for none.
     */
    static SDVariable of(SDVariable x, SDVariable b, double alpha, double gain, Double clamp) {
        Engine.get(); // the op table must know this class before a gradient copies the op
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("biasAct: the fused kernel needs alpha in [0, 1], got " + alpha);
        return new FusedBiasAct(x.getSameDiff(), x, b, alpha, gain, clamp == null ? -1 : clamp).outputVariable();
    }

    @Override
    public boolean isJavaKernel() {
        return tArgs().length == 3;
    }

    /** Restores {@code nchw} itself: SameDiff's field table has no entry for a subclass (it would log a warning per op). */
    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        nchw = nchw(properties, nchw);
    }

    static boolean nchw(Map<String, Object> properties, boolean current) {
        Object v = properties == null ? null : properties.get("nchw");
        return v instanceof Boolean bv ? bv : current;
    }

    @Override
    public void compute(INDArray[] in, INDArray[] out) {
        double[] t = tArgs();
        Kernels.biasActForward(in[0], in[1], t[0], t[1], t[2], out[0]);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        if (!isJavaKernel()) return super.doDiff(grads);
        double[] t = tArgs();
        return new Grad(sameDiff, outputVariable(), arg(1), grads.get(0), t).outputs();
    }

    /** The backward: inputs {@code (y, b, dy)}, outputs {@code (dx, db)}. */
    public static final class Grad extends BiasAddGrad implements JavaKernel {
        /** For SameDiff's re-creation of ops. */
        public Grad() {}

        Grad(SameDiff sd, SDVariable y, SDVariable b, SDVariable dy, double[] t) {
            super(sd, y, b, dy, true);
            addTArgument(t);
        }

        @Override
        public boolean isJavaKernel() {
            return tArgs().length == 3;
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            nchw = nchw(properties, nchw);
        }

        @Override
        public void compute(INDArray[] in, INDArray[] out) {
            double[] t = tArgs();
            Kernels.biasActBackward(in[0], in[2], t[0], t[1], t[2], out[0], out[1]);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            if (!isJavaKernel()) return super.doDiff(grads);
            // dx and db are linear in dy with a mask that is piecewise constant in y: the gradient
            // w.r.t. dy is the same masked scaling of (g_dx + g_db broadcast), zero w.r.t. y and b
            SDVariable y = arg(0), b = arg(1);
            SDVariable g = grads.get(0);
            if (grads.size() > 1 && grads.get(1) != null) g = new FusedBiasAct(sameDiff, g, grads.get(1), 1.0, 1.0, -1).outputVariable();
            SDVariable ddy = new Grad(sameDiff, y, b, g, tArgs()).outputs().get(0);
            return List.of(sameDiff.zerosLike(y), sameDiff.zerosLike(b), ddy);
        }
    }
}
