package io.stylegan2.benchmarks;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link KernelBenchmarks.Floor} writes every output element, with the copy pattern its javadoc states. */
class FloorTest {
    private static KernelBenchmarks.Floor floor(String shape, String direction) {
        KernelBenchmarks.Floor f = new KernelBenchmarks.Floor();
        f.shape = shape;
        f.direction = direction;
        f.setUp();
        f.out.assign(Float.NaN);
        f.run();
        return f;
    }

    @Test
    void upWritesEachInputRowIntoBothHalvesOfTwoOutputRows() {
        KernelBenchmarks.Floor f = floor("3x8", "up");
        for (int y = 0; y < 8; y++) {
            INDArray row = f.x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.all());
            for (int dy = 0; dy < 2; dy++)
                for (int half = 0; half < 2; half++)
                    assertThat(f.out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(2 * y + dy), NDArrayIndex.interval(8 * half, 8 * half + 8)))
                            .as("output row %d half %d", 2 * y + dy, half).isEqualTo(row);
        }
    }

    @Test
    void downWritesTheFirstHalfOfEverySecondInputRow() {
        KernelBenchmarks.Floor f = floor("3x8", "down");
        INDArray want = f.x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 8), NDArrayIndex.interval(0, 4));
        assertThat(f.out).isEqualTo(want.dup());
    }
}
