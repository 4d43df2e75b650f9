package io.stylegan2.benchmarks;

import io.stylegan2.core.StepMemory;
import io.stylegan2.core.ops.Upfirdn2d;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class GraphRunnerTest {
    /**
     * {@link GraphRunner#forwardReused} counts no {@code MemoryPolicy} step because it allocates
     * nothing once warm (no working array, and the output is the same memory every call): checked
     * here on the kernel row's graph, with its values equal to a fresh forward's.
     */
    @Test
    void forwardReusedCreatesNoArraysOnceWarm() {
        assumeThat(StepMemory.enabled()).as("step memory on").isTrue();
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16));
        GraphRunner run = new GraphRunner(Upfirdn2d.upsample2d(x, KernelBenchmarks.FIR, 2, new int[] {0, 0, 0, 0}), Map.of());
        INDArray fresh = run.forward().dup();
        for (int i = 0; i < 3; i++) run.forwardReused();
        long created = run.forwardMemory().created();
        Set<Long> outputs = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            INDArray r = run.forwardReused();
            assertThat(r.equalsWithEps(fresh, 0)).as("call %d equals the fresh forward", i).isTrue();
            outputs.add(r.data().address());
        }
        assertThat(run.forwardMemory().created()).as("working arrays created by 20 warm calls").isEqualTo(created);
        assertThat(outputs).as("output memory of 20 warm calls").hasSize(1);
    }
}
