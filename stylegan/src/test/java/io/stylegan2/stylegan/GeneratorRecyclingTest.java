package io.stylegan2.stylegan;

import io.stylegan2.core.StepMemory;
import io.stylegan2.core.engine.Engine;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Generator} reuses each graph's working arrays from one call to the next
 * ({@link StepMemory} forward loops): repeated calls give exactly what a generator without
 * recycling gives, and images returned earlier are not overwritten by later calls.
 */
class GeneratorRecyclingTest {

    private static INDArray[] run(boolean recycle) {
        return Engine.with(o -> o.withStepMemory(recycle), () -> {
            Map<String, INDArray> p = Generator.randomParams(HooksTest.CFG, 7);
            Generator g = Generator.create(HooksTest.CFG, p);
            try {
                INDArray[] out = new INDArray[8];
                for (int i = 0; i < 4; i++) {
                    INDArray z = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(20 + i), 2, HooksTest.CFG.zDim()).castTo(DataType.FLOAT);
                    INDArray ws = g.mapping(z, 0.7);
                    out[2 * i] = ws;
                    out[2 * i + 1] = g.synthesis(ws, i % 2 == 0 ? NoiseMode.CONST : NoiseMode.RANDOM, 5 + i);
                }
                return out;
            } finally {
                g.close();
            }
        });
    }

    @Test
    void repeatedCallsMatchAGeneratorWithoutRecycling() {
        INDArray[] plain = run(false), recycled = run(true);
        for (int i = 0; i < plain.length; i++) {
            assertThat(recycled[i]).as("result %d (read after all calls)", i).isEqualTo(plain[i]);
        }
        assertThat(recycled[1]).isNotEqualTo(recycled[5]); // different latents, different images
    }
}
