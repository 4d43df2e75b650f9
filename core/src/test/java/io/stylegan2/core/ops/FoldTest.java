package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class FoldTest {
    @Test
    void foldsTransformsOfConstantsOnlyWithTheSameValues() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 3, 3, 4, 5);
        SameDiff sd = SameDiff.create();
        SDVariable c = sd.constant("w", w);
        SDVariable folded = Fold.ifConstant(c, v -> v.getSameDiff().permute(v.getSameDiff().reverse(v, 0, 1), 0, 1, 3, 2));
        assertThat(folded.getVariableType()).isEqualTo(VariableType.CONSTANT);
        assertThat(sd.ops()).isEmpty();

        SameDiff ref = SameDiff.create();
        SDVariable r = ref.constant("w", w);
        INDArray expected = ref.permute(ref.reverse(r, 0, 1), 0, 1, 3, 2).eval();
        assertThat(folded.getArr()).isEqualTo(expected);

        SDVariable v = sd.var("v", w.dup());
        SDVariable notFolded = Fold.ifConstant(v, x -> x.getSameDiff().sum(x.getSameDiff().math().square(x), 0, 1));
        assertThat(notFolded.getVariableType()).isEqualTo(VariableType.ARRAY);
        assertThat(Arrays.stream(sd.ops()).map(o -> o.opName())).contains("square");
        assertThat(notFolded.eval()).isEqualTo(w.mul(w).sum(0, 1));
    }

    @Test
    void dependsOnVariableFollowsOpsBackToTrainableVariables() {
        SameDiff sd = SameDiff.create();
        SDVariable c = sd.constant("c", Nd4j.ones(DataType.FLOAT, 2, 2));
        SDVariable ph = sd.placeHolder("ph", DataType.FLOAT, -1, 2);
        SDVariable v = sd.var("v", Nd4j.ones(DataType.FLOAT, 2, 2));
        SDVariable frozen = ph.mmul(c.mul(2.0)).add(1.0);
        assertThat(Fold.dependsOnVariable(c)).isFalse();
        assertThat(Fold.dependsOnVariable(frozen)).isFalse();
        assertThat(Fold.dependsOnVariable(v)).isTrue();
        assertThat(Fold.dependsOnVariable(sd.math().tanh(frozen.mmul(v)).sum(1))).isTrue();
    }
}
