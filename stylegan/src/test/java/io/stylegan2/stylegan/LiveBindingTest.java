package io.stylegan2.stylegan;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ParamBinding#live}: a graph built once reads the current values of arrays updated in place
 * elsewhere (a training loop's weights), as variables and as never-folded constants, for every
 * parameter of the discriminator (the weights of its fully connected layers included).
 */
class LiveBindingTest {
    @Test
    void aGraphBuiltOnceReadsEveryInPlaceUpdate() {
        Map<Integer, Integer> ch = Map.of(4, 8, 8, 8, 16, 4);
        DiscriminatorConfig dc = new DiscriminatorConfig(16, 3, ch, 4, 1, null, null, "resnet");
        Map<String, INDArray> canonical = Discriminator.randomParams(dc, 3);
        Discriminator d = Discriminator.create(dc, canonical);
        Map<String, INDArray> live = new LinkedHashMap<>();
        canonical.forEach((k, v) -> live.put(k, ParameterStore.graphLayout(k, v).dup('c')));
        ParameterStore store = ParameterStore.shared(live, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16);

        // one graph with D's weights as live constants (and a variable, so a gradient function exists), one with live variables
        SameDiff asConstants = SameDiff.create(), asVariables = SameDiff.create();
        SDVariable v = asConstants.var("v", Nd4j.ones(DataType.FLOAT, 1));
        SDVariable in = asConstants.placeHolder("x", DataType.FLOAT, 4, 3, 16, 16);
        d.build(ParamBinding.live(asConstants, store, "D/", n -> false), in.mul(v), 4, null).rename("logits");
        asConstants.setLossVariables(asConstants.getVariable("logits").sum());
        SDVariable in2 = asVariables.placeHolder("x", DataType.FLOAT, 4, 3, 16, 16);
        d.build(ParamBinding.live(asVariables, store, "D/", n -> true), in2).rename("logits");
        assertThat(asVariables.getVariable("D/b4.fc.weight").getArr()).isSameAs(live.get("b4.fc.weight"));
        asConstants.calculateGradients(Map.of("x", x), List.of("v"));   // builds the gradient function too

        for (String k : live.keySet()) {
            INDArray arr = live.get(k);
            INDArray old = arr.dup();
            arr.addi(0.5);
            SameDiff fresh = SameDiff.create();
            SDVariable in3 = fresh.placeHolder("x", DataType.FLOAT, 4, 3, 16, 16);
            d.build(ParamBinding.live(fresh, store, "D/", n -> false), in3).rename("logits");
            INDArray want = fresh.output(Map.of("x", x), "logits").get("logits");
            assertThat(asConstants.output(Map.of("x", x), "logits").get("logits")).as("constants, " + k).isEqualTo(want);
            assertThat(asVariables.output(Map.of("x", x), "logits").get("logits")).as("variables, " + k).isEqualTo(want);
            arr.assign(old);
        }
        assertThatThrownBy(() -> ParameterStore.shared(Map.of("w", Nd4j.zeros(DataType.DOUBLE, 2)), DataType.FLOAT)).hasMessageContaining("'w'");
        assertThatThrownBy(() -> io.stylegan2.core.ops.Fold.live(asVariables.getVariable("D/b4.fc.weight"))).hasMessageContaining("only a constant");
    }
}
