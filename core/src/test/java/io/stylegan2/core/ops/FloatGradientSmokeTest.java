package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.Map;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static org.assertj.core.api.Assertions.assertThat;

/** FLOAT graphs: backprop runs and yields finite FLOAT gradients (values are checked in DOUBLE elsewhere). */
class FloatGradientSmokeTest {
    @Test
    void floatBackpropThroughAllOps() {
        Engine.get();
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1).castTo(DataType.FLOAT);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.FLOAT, 2, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.FLOAT, 3, 3, 2, 3));
        SDVariable s = sd.var("s", rand(DataType.FLOAT, 2, 2).addi(1));
        SDVariable w2 = sd.var("w2", rand(DataType.FLOAT, 3, 3, 4, 2));
        SDVariable b2 = sd.var("b2", rand(DataType.FLOAT, 2));
        SDVariable y = ModulatedConv2d.modulatedConv2d(x, w, s, null, 2, 1, f, true, null);   // [2,3,8,8]
        y = MinibatchStd.minibatchStd(y, 2, 1);                                                  // [2,4,8,8]
        y = Layers.conv(y, w2, b2, f, 1, 2, Activation.LRELU, 256.0);                            // [2,2,4,4]
        sd.setLossVariables(sd.mean(sd.math().square(y)));
        Map<String, INDArray> g = sd.calculateGradients(Collections.emptyMap(), "x", "w", "s", "w2", "b2");
        for (String k : new String[] {"x", "w", "s", "w2", "b2"}) {
            assertThat(g.get(k).dataType()).as(k).isEqualTo(DataType.FLOAT);
            assertThat(g.get(k).isInfinite().any() || g.get(k).isNaN().any()).as(k).isFalse();
            assertThat(g.get(k).amaxNumber().doubleValue()).as(k).isGreaterThan(0);
        }
    }

    @Test
    void placeholderWithDynamicBatch() {
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1).castTo(DataType.FLOAT);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2, 4, 4);
        SDVariable s = sd.placeHolder("s", DataType.FLOAT, -1, 2);
        SDVariable w = sd.var("w", rand(DataType.FLOAT, 3, 3, 2, 3));
        SDVariable y = ModulatedConv2d.modulatedConv2d(x, w, s, null, 2, 1, f, true, null);
        y = MinibatchStd.minibatchStd(y, 2, 1);
        y = Upfirdn2d.downsample2d(y, f, 2, null);
        for (int n : new int[] {2, 4}) {
            INDArray out = sd.output(Map.of("x", rand(DataType.FLOAT, n, 2, 4, 4), "s", rand(DataType.FLOAT, n, 2)), y.name()).get(y.name());
            assertThat(out.shape()).containsExactly(n, 4, 4, 4);
        }
    }
}
