package io.stylegan2.core.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An op whose kernel is Java code. Once the {@link Engine} has installed its op executioner
 * ({@link Engine.Patches#javaKernels()}), ops implementing this (and saying so for the instance)
 * run {@link #compute} instead of a libnd4j kernel; see {@code JavaKernels}.
 *
 * <p><b>Thread safety:</b> Implementations are SameDiff ops (one graph each, not thread-safe);
 * {@link #compute} runs on the thread that executes the graph and must keep no state in the instance
 * between calls (this library's kernels keep their scratch per thread).
 */
public interface JavaKernel {
    /** False for instances that should run the stock native op (e.g. re-created ordinary ops). */
    boolean isJavaKernel();

    /** Computes the outputs (already allocated, of the shapes the op's shape function gave) from the inputs. */
    void compute(INDArray[] inputs, INDArray[] outputs);
}
