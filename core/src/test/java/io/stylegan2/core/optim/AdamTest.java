package io.stylegan2.core.optim;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class AdamTest {
    /** Two steps by hand (torch.optim.Adam's formulas) and convergence on a quadratic. */
    @Test
    void matchesHandComputedStepsAndMinimisesAQuadratic() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(1.0, -2.0));
        sd.setLossVariables(x.mul(x).sum().rename("loss")); // grad = 2x
        Adam adam = new Adam(sd, List.of("x"), 0.9, 0.999, 1e-8);
        double[] p = {1.0, -2.0}, m = new double[2], v = new double[2];
        for (int t = 1; t <= 2; t++) {
            Map<String, INDArray> g = sd.calculateGradients(Map.of(), adam.names());
            adam.step(g, 0.1);
            for (int i = 0; i < 2; i++) {
                double gi = 2 * p[i];
                m[i] = 0.9 * m[i] + 0.1 * gi;
                v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                p[i] -= 0.1 * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
            }
            assertThat(x.getArr().getDouble(0)).isCloseTo(p[0], offset(1e-12));
            assertThat(x.getArr().getDouble(1)).isCloseTo(p[1], offset(1e-12));
        }
        for (int t = 0; t < 300; t++) adam.step(sd.calculateGradients(Map.of(), adam.names()), 0.05);
        assertThat(x.getArr().amaxNumber().doubleValue()).isLessThan(1e-2);
        assertThat(adam.steps()).isEqualTo(302);
        assertThatThrownBy(() -> new Adam(sd, List.of("nope"))).hasMessageContaining("nope");
    }

    /** Unbound arrays; export + restore continues exactly like an uninterrupted run. */
    @Test
    void exportAndRestoreResumeExactly() {
        INDArray a = Nd4j.createFromArray(0.5, -1.5, 2.0), b = a.dup();
        Adam straight = new Adam(0.9, 0.999, 1e-8), first = new Adam(0.9, 0.999, 1e-8);
        for (int t = 0; t < 3; t++) {
            straight.step(Map.of("p", a), Map.of("p", a.mul(2)), 0.1);
            first.step(Map.of("p", b), Map.of("p", b.mul(2)), 0.1);
        }
        Adam resumed = new Adam(0.9, 0.999, 1e-8);
        resumed.restore(first.export(), first.steps());
        for (int t = 0; t < 2; t++) {
            straight.step(Map.of("p", a), Map.of("p", a.mul(2)), 0.1);
            resumed.step(Map.of("p", b), Map.of("p", b.mul(2)), 0.1);
        }
        assertThat(b.sub(a).amaxNumber().doubleValue()).isEqualTo(0.0);
        assertThat(resumed.steps()).isEqualTo(5);
    }
}
