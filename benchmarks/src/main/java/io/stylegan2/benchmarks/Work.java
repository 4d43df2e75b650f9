package io.stylegan2.benchmarks;

/**
 * Analytic work of one benchmark invocation, for {@link JmhReport}: a shape label, the FLOPs
 * ({@code 2 x MACs}, see {@link Flops}) and the minimum bytes moved to and from memory, and which
 * machine limit the row is compared with.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. {@link Bound} is immutable.
 *
 * @param shape label of the shape (channels, resolution, batch, ...)
 * @param flops floating-point operations, 0 if not counted
 * @param bytes bytes read + written (each tensor once, float32), 0 if not counted
 * @param bound what the row's "% of peak" refers to
 */
public record Work(String shape, double flops, double bytes, Bound bound) {

    /** The machine limit a row is compared with. */
    public enum Bound {
        /** Compute-bound: % of the measured sgemm GFLOP/s. */
        COMPUTE,
        /** Memory-bound: % of the measured bandwidth GB/s. */
        MEMORY,
        /** The sgemm rows themselves (the compute peak). */
        PEAK_COMPUTE,
        /** The bandwidth rows themselves (the memory peak). */
        PEAK_MEMORY,
        /** Not compared (time only). */
        NONE
    }

    /** Bytes of a float32 tensor with {@code elements} elements. */
    public static long f32(long elements) {
        return 4 * elements;
    }

    static Work compute(String shape, long macs) {
        return new Work(shape, 2.0 * macs, 0, Bound.COMPUTE);
    }

    static Work memory(String shape, long macs, long bytes) {
        return new Work(shape, 2.0 * macs, bytes, Bound.MEMORY);
    }

    static Work timeOnly(String shape) {
        return new Work(shape, 0, 0, Bound.NONE);
    }
}
