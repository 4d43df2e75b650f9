package io.stylegan2.losses;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class CompositeLossTest {
    @Test
    void totalIsTheWeightedSumAndTermsAreReported() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(1.0, 2.0, 3.0));
        CompositeLoss loss = CompositeLoss.builder(sd)
                .add("sq", 0.5, x.mul(x).sum())     // 14
                .add("abs", 2.0, sd.math().abs(x).sum()) // 6
                .add("off", 0.0, x.sum())           // 6, reported, not counted
                .build();
        Map<String, Double> v = loss.values(sd.output(Map.of(), loss.outputNames()));
        assertThat(v).containsEntry("sq", 14.0).containsEntry("abs", 6.0).containsEntry("off", 6.0);
        assertThat(v.get(CompositeLoss.TOTAL)).isCloseTo(0.5 * 14 + 2 * 6, offset(1e-12));
        // gradient of the total: 0.5 * 2x + 2 * sign(x)
        INDArray g = sd.calculateGradients(Map.of(), "x").get("x");
        assertThat(g.toDoubleVector()).containsExactly(3.0, 4.0, 5.0);
        assertThat(sd.getLossVariables()).containsExactly(loss.total().name());
    }

    @Test
    void rejectsBadTerms() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.ones(DataType.DOUBLE, 2));
        CompositeLoss.Builder b = CompositeLoss.builder(sd).add("a", 1, x.sum());
        assertThatThrownBy(() -> b.add("a", 1, x.sum())).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> b.add("b", Double.NaN, x.sum())).hasMessageContaining("finite");
        assertThatThrownBy(() -> b.add("c", 1, SameDiff.create().constant(1.0))).hasMessageContaining("another graph");
        assertThatThrownBy(() -> CompositeLoss.builder(sd).build()).hasMessageContaining("at least one");
    }
}
