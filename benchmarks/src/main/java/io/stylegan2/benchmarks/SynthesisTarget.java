package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link GeneratorForwardBenchmark} times, behind a seam until
 * {@code io.stylegan2.stylegan.Generator} exists.
 *
 * <p>TODO(wire): replace {@link #create} with a generator built from {@code cfg} with random
 * weights (or loaded from a fixture file) and {@link #synthesis} with
 * {@code generator.synthesis(ws, NoiseMode.CONST, 0)}.
 */
public interface SynthesisTarget extends AutoCloseable {

    /**
     * @param ws {@code [N, numWs, wDim]}
     * @return {@code [N, C, H, W]}
     */
    INDArray synthesis(INDArray ws);

    @Override
    default void close() {}

    /** A generator for {@code cfg}; fails until the stylegan module's Generator is wired in. */
    static SynthesisTarget create(GeneratorConfig cfg) {
        throw new UnsupportedOperationException("GeneratorForwardBenchmark is not wired yet: io.stylegan2.stylegan.Generator"
                + " does not exist in this build (see SynthesisTarget.create)");
    }
}
