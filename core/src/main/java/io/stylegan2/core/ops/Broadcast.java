package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Broadcasting {@code x * y} and {@code x + y} where {@code x} has the full (output) shape and
 * {@code y} broadcasts against it, with a cheaper backward than SameDiff's {@code multiply_bp} /
 * {@code add_bp}. The forward is the stock op; the backward is written with forward ops:
 * {@code dL/dx = g * y} (a broadcast multiply) or {@code g}, and {@code dL/dy = sum(g * x)} or
 * {@code sum(g)} over the broadcast dimensions. In ND4J 1.0.0-M2.1 the generic broadcast backward
 * costs 10-30 ms on a 1-M-element weight or activation (it dominated the modulation in the
 * modulated convolution), while the forward ops and reductions it is rewritten into cost a few.
 *
 * <p>{@code y} must have the rank of {@code x} (reshape it first: a free view), and the caller
 * states its static shape, since SameDiff does not know the shapes of op outputs at build time:
 * {@code yShape} has one entry per dimension; 1 means "broadcast along this dimension", any other
 * value (-1 included) "the same size as {@code x}". The gradient of {@code y} is summed over
 * exactly the 1-dimensions, so a wrong {@code yShape} gives a gradient of the wrong shape (an
 * error at run time), never a wrong value of the right shape. Tested equal to the stock ops
 * (values and gradients). For rank 1 and 2 the stock ops are used (see {@link #cheap}); for the
 * same reason {@code x} must not be a vector at run time (e.g. {@code [1, C, 1, 1]}).
 *
 * <p>How: the ops are subclasses of ND4J's {@code MulOp} / {@code AddOp} that carry the reduction
 * dimensions as op properties and override {@code doDiff}. SameDiff copies every op through its
 * FlatBuffers form when it builds the gradient function, re-creating it from a registry keyed by
 * the native op's hash; the {@link Engine} registers these subclasses there for {@code multiply}
 * and {@code add} (once, by reflection, at install). Re-created ops without the properties, i.e. every ordinary
 * multiply and add, behave exactly as the stock ops. Should the registry ever be unreachable (a
 * different ND4J), {@link #mul} and {@link #add} fall back to the stock ops with a warning.
 *
 * <p><b>Thread safety:</b> The static methods are stateless; a SameDiff instance itself is not
 * thread-safe, so build one graph from one thread. The op instances ({@link Mul}, {@link Add}) are
 * mutable and belong to one graph; they are not thread-safe.
 */
public final class Broadcast {
    private static final String KEEP = "stylegan2BroadcastKeepDims";

    private Broadcast() {}

    /** Whether the cheap backward is in use (false only if ND4J's op registry could not be reached). */
    public static boolean active() {
        return Engine.get().patches().broadcastBackward();
    }

    /** {@code x * y} with the cheap backward; see the class comment. */
    public static SDVariable mul(SDVariable x, SDVariable y, long... yShape) {
        int[] dims = reduceDims(x, yShape);
        return cheap(yShape) ? new Mul(x.getSameDiff(), x, y, dims).outputVariable() : x.mul(y);
    }

    /** {@code x + y} with the cheap backward; see the class comment. */
    public static SDVariable add(SDVariable x, SDVariable y, long... yShape) {
        int[] dims = reduceDims(x, yShape);
        return cheap(yShape) ? new Add(x.getSameDiff(), x, y, dims).outputVariable() : x.add(y);
    }

    /**
     * Rank 3 and up only: for a rank-2 {@code [1, C]} activation (an FC layer at batch 1) the
     * gradient reduction would run on a vector over size-1 dims, which ND4J M2.1's legacy sum
     * mistakes for a no-op and fails on; the stock backward of such small tensors is cheap anyway.
     */
    private static boolean cheap(long[] yShape) {
        return yShape.length >= 3 && active();
    }

    /** The dims of x along which y has size 1 (y's gradient is summed over them, keeping them). */
    private static int[] reduceDims(SDVariable x, long[] yShape) {
        long[] xs = Shapes.staticShapeOrNull(x);
        if (yShape == null || yShape.length == 0 || (xs != null && xs.length != yShape.length))
            throw new IllegalArgumentException("broadcast: y shape " + Arrays.toString(yShape) + " must have one entry per dimension of x"
                    + (xs != null ? " " + Arrays.toString(xs) : ""));
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < yShape.length; i++) if (yShape[i] == 1) keep.add(i);
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code g} summed to the shape of y: over the dims where y has size 1, keeping them. */
    private static SDVariable sumToY(SDVariable g, int[] dims) {
        return dims.length == 0 ? g : g.getSameDiff().sum(g, true, dims);
    }

    private static Map<String, Object> withDims(Map<String, Object> props, int[] dims) {
        return OpProperties.withProperty(props, KEEP, dims == null ? null : dims.clone());
    }

    /** The properties the stock op knows (ND4J warns about, and tries to set, every other key). */
    private static Map<String, Object> withoutDims(Map<String, Object> props) {
        return OpProperties.withoutProperty(props, KEEP);
    }

    private static int[] dimsOf(Map<String, Object> props) {
        if (props == null || !props.containsKey(KEEP)) return null;
        Object k = props.get(KEEP);
        int[] keep; // an empty array comes back from SameDiff's serialisation as null
        if (k == null) keep = new int[0];
        else if (k instanceof int[] ki) keep = ki.clone();
        else if (k instanceof long[] kl) keep = Arrays.stream(kl).mapToInt(v -> (int) v).toArray();
        else throw new IllegalStateException("broadcast op: unexpected " + KEEP + " property " + k.getClass());
        return keep;
    }

    /** {@code multiply}; with broadcast dims (from {@link #mul}) the backward is {@code [g * y, sum(g * x)]}, else the stock one. */
    public static final class Mul extends MulOp {
        private int[] dims;

        /** For SameDiff's re-creation of ops (then the properties restore the dims, if any). */
        public Mul() {}

        Mul(SameDiff sd, SDVariable x, SDVariable y, int[] dims) {
            super(sd, x, y);
            this.dims = dims;
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            return withDims(super.propertiesForFunction(), dims);
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            super.setPropertiesForFunction(withoutDims(properties));
            dims = dimsOf(properties);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            if (dims == null) return super.doDiff(grads);
            SDVariable g = grads.get(0);
            return List.of(g.mul(arg(1)), sumToY(g.mul(arg(0)), dims));
        }
    }

    /** {@code add}; with broadcast dims (from {@link #add}) the backward is {@code [g, sum(g)]}, else the stock one. */
    public static final class Add extends AddOp {
        private int[] dims;

        /** For SameDiff's re-creation of ops (then the properties restore the dims, if any). */
        public Add() {}

        Add(SameDiff sd, SDVariable x, SDVariable y, int[] dims) {
            super(sd, x, y);
            this.dims = dims;
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            return withDims(super.propertiesForFunction(), dims);
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            super.setPropertiesForFunction(withoutDims(properties));
            dims = dimsOf(properties);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            if (dims == null) return super.doDiff(grads);
            SDVariable g = grads.get(0);
            return List.of(g, sumToY(g, dims));
        }
    }
}
