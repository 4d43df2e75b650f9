package io.stylegan2.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;

import java.util.Arrays;

/**
 * Gives an op output a static shape. In SameDiff 1.0.0-M2.1 {@code getShape()} of an op output is
 * always null (only placeholders, variables and constants have one, and {@code setShape} is ignored
 * outside eager mode), but {@code Discriminator.build} needs a static batch size. {@link #of}
 * reshapes {@code x} to the given shape (which checks it at run time) and returns a handle on that
 * reshape's output whose {@code getShape()} reports the shape. The handle names the same graph
 * variable, so ops built on it and their gradients are the ordinary ones.
 */
public final class StaticShape {
    private StaticShape() {}

    /**
     * @param x     any variable of the graph
     * @param shape its full shape (no -1)
     * @return {@code x.reshape(shape)}, with {@code getShape() == shape}
     */
    public static SDVariable of(SDVariable x, long... shape) {
        for (long s : shape) if (s <= 0) throw new IllegalArgumentException("static shape needs positive sizes, got " + Arrays.toString(shape));
        SDVariable y = x.reshape(shape);
        long[] fixed = shape.clone();
        return new SDVariable(y.name(), VariableType.ARRAY, y.getSameDiff(), fixed, y.dataType()) {
            @Override
            public long[] getShape() {
                return fixed.clone();
            }
        };
    }
}
