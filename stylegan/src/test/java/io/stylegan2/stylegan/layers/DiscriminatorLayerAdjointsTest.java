package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.ParameterStore;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every discriminator layer kind's backward-data pass against SameDiff's own first-order gradient
 * of {@code sum(upstream * forward(x))} with respect to {@code x}, in float64 (random weights,
 * biases, inputs and upstream gradients; clamps chosen so that they are active).
 */
class DiscriminatorLayerAdjointsTest {
    static final List<Double> F = GeneratorConfig.DEFAULT_FILTER;
    static final double HALF = Math.sqrt(0.5);

    /** A layer's forward and backward on one binding: {@code forward(p, x)} gives the output, {@code backward(out, gOut)} the input gradient. */
    interface Case {
        SDVariable forward(ParamBinding p, SDVariable x);

        SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut);
    }

    /** max |hand - auto| / max |auto|, and checks that {@code clampedAt} (if not null) is reached by the output. */
    static double error(ParameterStore store, long[] inShape, Case c, Double clampedAt) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, store, "");
        Nd4j.getRandom().setSeed(21);
        SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, inShape));
        SDVariable out = c.forward(p, x);
        INDArray outValue = out.eval();
        if (clampedAt != null) assertThat(outValue.amaxNumber().doubleValue()).as("the clamp is active").isEqualTo(clampedAt, org.assertj.core.data.Offset.offset(1e-12));
        SDVariable up = sd.constant("upstream", Nd4j.randn(DataType.DOUBLE, outValue.shape()));
        SDVariable hand = c.backward(p, x, out, up);
        sd.setLossVariables(sd.sum(out.mul(up)));
        INDArray auto = sd.calculateGradients(Map.of(), "x").get("x");
        INDArray h = sd.output(Map.of(), hand.name()).get(hand.name());
        assertThat(h.shape()).containsExactly(inShape);
        return h.sub(auto).amaxNumber().doubleValue() / auto.amaxNumber().doubleValue();
    }

    static void check(String what, Layer layer, long[] inShape, Double clampedAt, Case c) {
        double err = error(LayerParams.random(5, layer), inShape, c, clampedAt);
        System.out.printf("%s backward-data: max rel err %.3e%n", what, err);
        assertThat(err).as(what).isLessThan(1e-12);
    }

    static void conv(String what, Conv2dLayer l, long[] inShape, Double clampedAt) {
        check(what, l, inShape, clampedAt, new Case() {
            public SDVariable forward(ParamBinding p, SDVariable x) {
                return l.forward(p, x);
            }

            public SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut) {
                return l.backward(p, out, gOut, inShape[2]);
            }
        });
    }

    @Test
    void conv2dLayers() {
        conv("fromrgb (1x1, lrelu)", new Conv2dLayer("b8.fromrgb", 3, 4, 1, true, Activation.LRELU, 1, F, null, 1.0), new long[]{2, 3, 8, 8}, null);
        conv("conv0 (3x3, lrelu, clamp)", new Conv2dLayer("b8.conv0", 4, 4, 3, true, Activation.LRELU, 1, F, 0.5, 1.0), new long[]{2, 4, 8, 8}, 0.5);
        conv("conv1 (3x3, FIR + stride 2, gain sqrt(1/2), clamp)", new Conv2dLayer("b8.conv1", 4, 5, 3, true, Activation.LRELU, 2, F, 0.5, HALF),
                new long[]{2, 4, 8, 8}, 0.5 * HALF);
        conv("skip (1x1, FIR down 2, no bias, linear, gain sqrt(1/2))", new Conv2dLayer("b8.skip", 4, 5, 1, false, Activation.LINEAR, 2, F, null, HALF),
                new long[]{2, 4, 8, 8}, null);
        conv("skip with clamp", new Conv2dLayer("b8.skip", 4, 5, 1, false, Activation.LINEAR, 2, F, 0.3, HALF), new long[]{2, 4, 8, 8}, 0.3 * HALF);
    }

    static void fc(String what, FullyConnectedLayer l, long n) {
        check(what, l, new long[]{n, l.inFeatures()}, null, new Case() {
            public SDVariable forward(ParamBinding p, SDVariable x) {
                return l.forward(p, x);
            }

            public SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut) {
                return l.backward(p, out, gOut);
            }
        });
    }

    @Test
    void fullyConnectedLayers() {
        fc("fc (lrelu)", new FullyConnectedLayer("b4.fc", 12, 5, Activation.LRELU, 1.0), 3);
        fc("out (linear)", new FullyConnectedLayer("b4.out", 5, 1, Activation.LINEAR, 1.0), 3);
        fc("lrelu with lr_multiplier", new FullyConnectedLayer("mapping.fc0", 6, 6, Activation.LRELU, 0.01), 2);
    }

    @Test
    void minibatchStdLayer() {
        MinibatchStdLayer m = new MinibatchStdLayer(2, 2, 6, 4);
        Layer none = new Layer() {
            public String prefix() {
                return "b4";
            }

            public Map<String, long[]> parameterShapes() {
                return Map.of();
            }
        };
        check("minibatch stddev (N 4, group 2, F 2)", none, new long[]{4, 6, 4, 4}, null, new Case() {
            public SDVariable forward(ParamBinding p, SDVariable x) {
                return m.forward(x, 4);
            }

            public SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut) {
                return m.backward(x, gOut, 4);
            }
        });
    }

    @Test
    void discriminatorBlocks() {
        for (boolean first : new boolean[]{true, false}) {
            DiscriminatorBlock b = new DiscriminatorBlock(8, 4, 5, 3, first, F, 0.6);
            Map<String, SDVariable> acts = new HashMap<>();
            check(first ? "first block (fromrgb, clamp)" : "block (clamp)", b, new long[]{2, first ? 3 : 4, 8, 8}, null, new Case() {
                public SDVariable forward(ParamBinding p, SDVariable x) {
                    return b.forward(p, x, acts);
                }

                public SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut) {
                    return b.backward(p, acts, gOut);
                }
            });
        }
    }

    @Test
    void epilogue() {
        DiscriminatorEpilogue e = new DiscriminatorEpilogue(6, 2, 2, F, null);
        Map<String, SDVariable> acts = new HashMap<>();
        check("epilogue (N 4, group 2, F 2)", e, new long[]{4, 6, 4, 4}, null, new Case() {
            public SDVariable forward(ParamBinding p, SDVariable x) {
                return e.forward(p, x, 4, acts);
            }

            public SDVariable backward(ParamBinding p, SDVariable x, SDVariable out, SDVariable gOut) {
                return e.backward(p, acts, x, gOut, 4);
            }
        });
    }
}
