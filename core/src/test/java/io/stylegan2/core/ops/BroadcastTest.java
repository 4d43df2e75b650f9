package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BroadcastTest {
    private static final long[][][] CASES = {
            // x shape, y shape, yShape as stated to Broadcast
            {{2, 3, 4, 5}, {2, 3, 1, 1}, {-1, 3, 1, 1}},
            {{3, 3, 4, 5}, {1, 1, 4, 5}, {1, 1, 4, 5}},
            {{2, 3, 4, 5}, {1, 1, 4, 5}, {1, 1, -1, -1}},
            {{2, 3, 4, 5}, {1, 3, 1, 5}, {1, 3, 1, -1}},
            {{6, 4}, {1, 4}, {1, 4}},
            {{1, 5}, {1, 5}, {1, -1}},             // rank 2 at batch 1: the stock ops (see Broadcast.cheap)
    };

    private static INDArray rand(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
    }

    /** Values and gradients of x and y equal those of the stock broadcasting ops. */
    @Test
    void matchesStockOpsValuesAndGradients() {
        for (boolean mul : new boolean[] {true, false}) {
            for (long[][] c : CASES) {
                INDArray xv = rand(1, c[0]), yv = rand(2, c[1]), w = rand(3, c[0]);
                Map<String, INDArray> fast = run(xv, yv, w, c[2], mul, true);
                Map<String, INDArray> stock = run(xv, yv, w, c[2], mul, false);
                String what = (mul ? "mul" : "add") + " x" + java.util.Arrays.toString(c[0]) + " y" + java.util.Arrays.toString(c[1]);
                for (String k : stock.keySet()) assertAllClose(what + " " + k, fast.get(k), stock.get(k), 1e-12, 1e-13);
            }
        }
    }

    /** Forward value and gradients of x and y of sum(w * op(x, y)), for a fixed random w. */
    private static Map<String, INDArray> run(INDArray xv, INDArray yv, INDArray w, long[] yShape, boolean mul, boolean fast) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", xv.dup()), y = sd.var("y", yv.dup());
        SDVariable xo = x.mul(1.0); // op outputs, as in the networks
        SDVariable yo = y.mul(1.0);
        SDVariable z = fast ? (mul ? Broadcast.mul(xo, yo, yShape) : Broadcast.add(xo, yo, yShape)) : (mul ? xo.mul(yo) : xo.add(yo));
        SDVariable loss = z.mul(sd.constant(w)).sum().rename("loss");
        sd.setLossVariables(loss);
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), "x", "y");
        if (fast && yShape.length >= 3) // the backward is the rewritten one: the only stock broadcast backward left is the loss's z * w
            assertThat(java.util.Arrays.stream(sd.getFunction("grad").ops()).map(o -> o.opName()).filter(n -> n.equals("multiply_bp") || n.equals("add_bp")))
                    .containsExactly("multiply_bp");
        return Map.of("value", z.eval(), "dx", g.get("x"), "dy", g.get("y"));
    }

    @Test
    void gradCheck() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(4, 2, 3, 3, 2));
        SDVariable y = sd.var("y", rand(5, 1, 3, 1, 1));
        GradCheck.check(sd, Broadcast.mul(Broadcast.add(x.mul(1.0), y.mul(1.0), 1, 3, 1, 1), y.mul(1.0), 1, 3, 1, 1), 100, "x", "y");
    }

    @Test
    void rejectsBadShapes() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(1, 2, 3));
        assertThatThrownBy(() -> Broadcast.mul(x, x, 1, 2, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broadcast");
        assertThatThrownBy(() -> Broadcast.add(x, x, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broadcast");
    }
}
