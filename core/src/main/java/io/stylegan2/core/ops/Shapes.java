package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;

/** Static-shape helpers shared by the ops (package-private). */
final class Shapes {
    private Shapes() {}

    /**
     * The static shape of {@code x}; throws if SameDiff cannot infer it at graph build time.
     * Dimensions may be -1 only where the caller tolerates it.
     */
    static long[] shape(SDVariable x, String op, String what) {
        long[] s;
        try {
            s = x.getShape();
        } catch (RuntimeException e) {
            s = null;
        }
        if (s == null)
            throw new IllegalArgumentException(op + ": the shape of " + what + " (" + x.name() + ") is unknown at graph build time; this op needs a variable/constant/placeholder here (SameDiff does not know the shapes of op outputs at build time)");
        return s;
    }

    /**
     * The static shape if SameDiff knows it, else null. In M2.1 {@code SDVariable.getShape()} is
     * only known for VARIABLE / CONSTANT / PLACEHOLDER variables; op outputs (ARRAY) return null.
     */
    static long[] staticShapeOrNull(SDVariable x) {
        try {
            return x.getShape();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Shape of a rank-{@code rank} input, with the rank checked. */
    static long[] shape(SDVariable x, int rank, String op, String what) {
        long[] s = shape(x, op, what);
        if (s.length != rank)
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + rank + ", got shape " + Arrays.toString(s));
        return s;
    }

    static void requireStatic(String op, String what, long[] s, int... dims) {
        for (int d : dims)
            if (s[d] < 0)
                throw new IllegalArgumentException(op + ": dimension " + d + " of " + what + " must be known at graph build time, shape " + Arrays.toString(s));
    }

    /** Normalises padding given as [p], [px, py] or [x0, x1, y0, y1] to [x0, x1, y0, y1]. */
    static int[] padding4(int[] p, String op) {
        if (p == null || p.length == 0) return new int[] {0, 0, 0, 0};
        if (p.length == 1) return new int[] {p[0], p[0], p[0], p[0]};
        if (p.length == 2) return new int[] {p[0], p[0], p[1], p[1]};
        if (p.length == 4) return p.clone();
        throw new IllegalArgumentException(op + ": padding must have 1, 2 or 4 entries [x0, x1, y0, y1], got " + Arrays.toString(p));
    }
}
