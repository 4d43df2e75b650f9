package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EditConsistencyTest {
    @Test
    void untunedGeneratorEditsIdenticallyAndOffsetsChangeTheEdit() throws Exception {
        Generator g = FixtureModel.generator();
        List<Direction> sefa = SeFa.compute(g, 2, LayerRange.all(g.config().numWs()));
        EditConsistency same = EditConsistency.measure(g, Map.of(), sefa.get(0), 2.0, 4, 0.7, 1);
        assertThat(same.meanCorrelation()).isCloseTo(1.0, within(1e-9));
        assertThat(same.minCorrelation()).isCloseTo(1.0, within(1e-9));
        assertThat(same.meanNormRatio()).isCloseTo(1.0, within(1e-9));

        // an offset on the first conv's modulation (affine) weights changes how styles act: the edit changes
        String affine = "synthesis.b4.conv1.affine.weight";
        INDArray w = g.params().get(affine);
        INDArray delta = org.nd4j.linalg.factory.Nd4j.randn(w.dataType(), w.shape()).muli(w.std(true).getDouble(0) * 2);
        EditConsistency moved = EditConsistency.measure(g, Map.of(affine, delta), sefa.get(0), 2.0, 4, 0.7, 1);
        assertThat(moved.meanCorrelation()).isLessThan(0.999);

        assertThatThrownBy(() -> EditConsistency.measure(g, Map.of(), sefa.get(0), 0.0, 4, 0.7, 1)).hasMessageContaining("strength 0");
        double cross = EditConsistency.crossCorrelation(g, sefa.get(0), sefa.get(0), 2.0, 4, 0.7, 1);
        assertThat(cross).isCloseTo(1.0, within(1e-9));
    }
}
