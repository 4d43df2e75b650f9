package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.JavaKernel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Upsampling2d;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@link Upfirdn2d} as one Java kernel ({@link JavaKernel}, loops in {@link FirKernels}): one op
 * for the whole upsample-pad-filter-downsample of any {@code up}, {@code down}, padding and filter,
 * and one op for its backward (the adjoint: the same kernel with up and down swapped and the filter
 * flipped), whose own backward is the forward again, so gradients of any order stay single ops.
 *
 * <p>The op is a subclass of ND4J's {@code upsampling2d} (which this library never uses otherwise)
 * with its own shape function, registered by the {@link Engine} (where Java kernels are active)
 * so it survives SameDiff's op copies. It carries {@code [up, down, x0, x1, y0, y1, kh, kw, adjoint]} as integer arguments and
 * the correlation kernel ({@code [kh, kw]} row-major, gain and flip applied) as floating-point
 * arguments. Forward: input {@code x [N, C, H, W]}. Adjoint: inputs {@code dy} and the shape of the
 * forward's {@code x} (its output shape). Re-created stock {@code upsampling2d} ops (3 integer
 * arguments) run the native op. Tested against the naive loops, the reference formulation and
 * central differences in {@code Upfirdn2dTest}.
 *
 * <p><b>Thread safety:</b> Not thread-safe, like every SameDiff op (an instance belongs to one
 * graph, built from one thread). {@link #compute} keeps no state in the instance (its scratch is
 * per thread), so running the graph follows SameDiff's own rules.
 */
public final class Upfirdn2dOp extends Upsampling2d implements JavaKernel {
    private static final int N_IARGS = 9;

    /** For SameDiff's re-creation of ops (the integer arguments say whether it is ours). */
    public Upfirdn2dOp() {}

    private Upfirdn2dOp(SameDiff sd, SDVariable[] in, long[] iArgs, double[] k) {
        super(sd, in[0], 1);
        iArguments.clear();
        if (in.length > 1) sd.addArgsFor(in, this); // the stock constructor takes one input
        addIArgument(iArgs);
        addTArgument(k);
    }

    /**
     * {@code upfirdn2d(x)} with the correlation kernel {@code k [kh][kw]} (gain and flip applied),
     * padding {@code [x0, x1, y0, y1]}.
     */
    static SDVariable of(SDVariable x, int up, int down, int[] p, double[][] k) {
        Engine.get(); // the op table must know this class before a gradient copies the op
        int kh = k.length, kw = k[0].length;
        double[] flat = new double[kh * kw];
        for (int a = 0; a < kh; a++) System.arraycopy(k[a], 0, flat, a * kw, kw);
        long[] i = {up, down, p[0], p[1], p[2], p[3], kh, kw, 0};
        return new Upfirdn2dOp(x.getSameDiff(), new SDVariable[] {x}, i, flat).outputVariable();
    }

    @Override
    public boolean isJavaKernel() {
        return iArgs().length == N_IARGS;
    }

    private boolean adjoint() {
        return iArgs()[8] != 0;
    }

    private int[] padding() {
        long[] i = iArgs();
        return new int[] {(int) i[2], (int) i[3], (int) i[4], (int) i[5]};
    }

    @Override
    public void compute(INDArray[] in, INDArray[] out) {
        long[] i = iArgs();
        if (adjoint()) FirKernels.adjoint(in[0], (int) i[0], (int) i[1], padding(), tArgs(), (int) i[6], (int) i[7], out[0]);
        else FirKernels.forward(in[0], (int) i[0], (int) i[1], padding(), tArgs(), (int) i[6], (int) i[7], out[0]);
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        return calculateOutputShape(null);
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
        if (!isJavaKernel()) return super.calculateOutputShape(oc);
        List<INDArray> in = oc != null ? oc.getInputArrays() : inputArguments();
        INDArray x = in.get(0);
        if (adjoint()) { // the forward input's shape
            long[] s = in.get(1).toLongVector();
            return List.of(LongShapeDescriptor.fromShape(s, x.dataType()));
        }
        if (x.rank() != 4) throw new IllegalArgumentException("upfirdn2d: x must be [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        long[] i = iArgs();
        int[] p = padding();
        long oh = FirKernels.outSize(x.size(2), (int) i[0], (int) i[1], p[2], p[3], (int) i[6], "height");
        long ow = FirKernels.outSize(x.size(3), (int) i[0], (int) i[1], p[0], p[1], (int) i[7], "width");
        return List.of(LongShapeDescriptor.fromShape(new long[] {x.size(0), x.size(1), oh, ow}, x.dataType()));
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        if (!isJavaKernel()) return super.calculateOutputDataTypes(dataTypes);
        return List.of(dataTypes.get(0));
    }

    /** Our ops keep everything in their arguments; stock ones restore their fields as usual. */
    @Override
    public Map<String, Object> propertiesForFunction() {
        return isJavaKernel() ? Map.of() : super.propertiesForFunction();
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        if (properties != null && !properties.isEmpty()) super.setPropertiesForFunction(properties);
    }

    @Override
    public void configureFromArguments() {
        if (!isJavaKernel()) super.configureFromArguments();
    }

    /**
     * Forward: the adjoint of the output gradient. Adjoint: the forward of the gradient of its
     * output, w.r.t. {@code dy} (the shape input has none). Both linear, so this closes.
     */
    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        if (!isJavaKernel()) return super.doDiff(grads);
        long[] i = iArgs().clone();
        if (adjoint()) {
            i[8] = 0;
            return List.of(new Upfirdn2dOp(sameDiff, new SDVariable[] {grads.get(0)}, i, tArgs()).outputVariable());
        }
        i[8] = 1;
        SDVariable shape = sameDiff.shape(arg());
        return List.of(new Upfirdn2dOp(sameDiff, new SDVariable[] {grads.get(0), shape}, i, tArgs()).outputVariable());
    }
}
