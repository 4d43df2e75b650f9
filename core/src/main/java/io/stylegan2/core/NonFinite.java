package io.stylegan2.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Counting NaN and infinite values, for input checks that name what they refuse (weights, latents).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the array passed
 * in is only read, so it must not be mutated concurrently).
 */
public final class NonFinite {
    private NonFinite() {}

    /** How many values of {@code a} are NaN or infinite (0 for integer arrays). */
    public static long count(INDArray a) {
        if (!a.dataType().isFPType()) return 0;
        return a.isNaN().castTo(DataType.INT64).sumNumber().longValue() + a.isInfinite().castTo(DataType.INT64).sumNumber().longValue();
    }
}
