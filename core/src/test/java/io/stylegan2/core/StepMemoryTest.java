package io.stylegan2.core;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Broadcast;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.core.ops.Upfirdn2d;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StepMemoryTest {
    private static final int STEPS = 12;

    /** A small conv net step graph: modulation, up-conv, bias + lrelu, FIR down, a reshaped output. */
    private static SameDiff graph() {
        Nd4j.getRandom().setSeed(7);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(DataType.FLOAT, 1, 8, 8, 8));
        SDVariable s = sd.var("s", Nd4j.rand(DataType.FLOAT, 1, 8).addi(0.5));
        SDVariable w = sd.constant(Nd4j.randn(DataType.FLOAT, 3, 3, 8, 4).muli(0.2));
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1).castTo(DataType.FLOAT);
        SDVariable h = Broadcast.mul(x, sd.reshape(s, 1, 8, 1, 1), 1, 8, 1, 1);
        h = Conv2dResample.conv2dResample(h, w, f, 2, 1, new int[] {1}, false);
        h = BiasAct.biasAct(h, sd.constant(Nd4j.linspace(DataType.FLOAT, -0.2, 0.2, 4)), Activation.LRELU);
        h = Upfirdn2d.downsample2d(h, f, 2, new int[] {0}, 4);
        SDVariable img = sd.reshape(h, 1, 4 * 8 * 8).rename("img");
        SDVariable target = sd.constant(Nd4j.rand(DataType.FLOAT, 1, 4 * 8 * 8));
        SDVariable d = img.sub(target);
        d.mul(d).mean().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private record Run(List<INDArray> losses, INDArray x, INDArray s, INDArray firstImage, INDArray firstImageCopy, long pooledBytes) {}

    private static Run run(boolean recycle) {
        SameDiff sd = graph();
        StepMemory mem = null;
        List<INDArray> losses = new ArrayList<>();
        INDArray firstImage = null, firstImageCopy = null;
        for (int i = 0; i < STEPS; i++) {
            OutAndGrad og = sd.calculateGradientsAndOutputs(Map.of(), List.of("loss", "img"), List.of("x", "s"));
            losses.add(og.getOutputs().get("loss").dup());
            if (i == 3) { // a result returned while recycling is on
                firstImage = og.getOutputs().get("img");
                firstImageCopy = firstImage.dup();
            }
            sd.getVariable("x").getArr().subi(og.getGradients().get("x").mul(0.5));
            sd.getVariable("s").getArr().subi(og.getGradients().get("s").mul(0.5));
            if (recycle) {
                if (mem == null) mem = StepMemory.install(sd.getFunction("grad")); // the first run created it
                else mem.endStep(List.of(og.getOutputs().get("img")));
            }
        }
        return new Run(losses, sd.getVariable("x").getArr().dup(), sd.getVariable("s").getArr().dup(), firstImage, firstImageCopy, mem == null ? 0 : mem.pooledBytes());
    }

    /** Recycling the working arrays changes nothing: losses and parameters are bit-identical. */
    @Test
    void recyclingGivesIdenticalResults() {
        Run plain = run(false), recycled = run(true);
        assertThat(recycled.pooledBytes()).isPositive();
        for (int i = 0; i < STEPS; i++)
            assertThat(recycled.losses().get(i).getFloat(0)).as("loss at step %d", i).isEqualTo(plain.losses().get(i).getFloat(0));
        assertThat(recycled.losses().get(STEPS - 1).getFloat(0)).isLessThan(recycled.losses().get(0).getFloat(0)); // it did optimise
        assertThat(recycled.x()).isEqualTo(plain.x());
        assertThat(recycled.s()).isEqualTo(plain.s());
        assertThat(recycled.firstImage()).as("a result read after later steps").isEqualTo(recycled.firstImageCopy());
    }

    /**
     * A forward loop ({@code sd.output} once per step, as {@code Generator.synthesis} runs) gives
     * the same outputs bit for bit with recycling, serves its working arrays from the pool after
     * the first steps, and leaves every returned output intact.
     */
    @Test
    void forwardLoopRecyclesAndKeepsResults() {
        SameDiff plain = graph(), recycled = graph();
        StepMemory.Loop loop = StepMemory.Loop.forward(recycled);
        List<INDArray> outs = new ArrayList<>(), copies = new ArrayList<>();
        long createdAfterWarmup = -1;
        for (int i = 0; i < STEPS; i++) {
            INDArray x = Nd4j.randn(Nd4j.getRandomFactory().getNewRandomInstance(100 + i), 1, 8, 8, 8).castTo(DataType.FLOAT);
            plain.getVariable("x").getArr().assign(x);
            recycled.getVariable("x").getArr().assign(x);
            INDArray expected = plain.output(Map.of(), "img").get("img");
            INDArray got = recycled.output(Map.of(), "img").get("img");
            loop.stepDone(got);
            assertThat(got).as("output at step %d", i).isEqualTo(expected);
            outs.add(got);
            copies.add(got.dup());
            if (i == 2) createdAfterWarmup = loop.memory().created();
        }
        assertThat(loop.memory().pooledBytes()).isPositive();
        assertThat(loop.memory().created()).as("arrays created after the warm-up steps").isEqualTo(createdAfterWarmup);
        for (int i = 0; i < STEPS; i++) assertThat(outs.get(i)).as("output of step %d, read at the end", i).isEqualTo(copies.get(i));
    }

    /** Arrays come back to the pool at endStep and are served again; detached requests never are. */
    @Test
    void poolsByTypeAndLength() {
        StepMemory m = new StepMemory();
        INDArray a = m.allocate(false, DataType.FLOAT, 2, 3);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(m.liveBytes()).isEqualTo(24);
        m.endStep();
        assertThat(m.pooledBytes()).isEqualTo(24);
        INDArray b = m.allocate(false, DataType.FLOAT, 3, 2);
        assertThat(b.shape()).containsExactly(3, 2);
        assertThat(b.data().address()).isEqualTo(a.data().address());
        assertThat(m.created()).isEqualTo(1);
        m.release(b);
        INDArray c = m.allocate(false, DataType.DOUBLE, 6);
        assertThat(c.data().address()).isNotEqualTo(a.data().address());
        INDArray d = m.allocate(true, DataType.FLOAT, 6);
        assertThat(m.created()).isEqualTo(2);
        m.endStep(List.of(c)); // c is kept by the caller: not reused
        assertThat(m.pooledBytes()).isEqualTo(24);
        assertThat(d.shape()).containsExactly(6);
        m.close();
        assertThat(m.pooledBytes()).isZero();
    }

    /** With results recycled, a detached request is served from the pool and goes back at endStep (read before the step ends). */
    @Test
    void recycledResultsComeFromThePool() {
        StepMemory m = new StepMemory();
        m.setRecycleResults(true);
        INDArray a = m.allocate(true, DataType.FLOAT, 4, 4);
        m.endStep();
        INDArray b = m.allocate(true, DataType.FLOAT, 16);
        assertThat(b.data().address()).isEqualTo(a.data().address());
        assertThat(m.created()).isEqualTo(1);
        m.setRecycleResults(false);
        m.endStep();
        INDArray c = m.allocate(true, DataType.FLOAT, 16);
        assertThat(c.data().address()).isNotEqualTo(a.data().address());
        assertThat(m.created()).as("detached arrays are counted only when pooled").isEqualTo(1);
        m.close();
    }
}
