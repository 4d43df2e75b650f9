package io.stylegan2.stylegan.layers;

import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.ParameterStore;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Random parameters for layers from their own shapes, and a binding that records what a layer reads. */
final class LayerParams {
    private LayerParams() {}

    /** N(0,1) for every declared parameter (biases times 0.3, so that they are non-zero but small), float64. */
    static ParameterStore random(long seed, Layer... layers) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        Layer.shapesOf(List.of(layers)).forEach((name, shape) -> {
            INDArray v = Nd4j.randn(DataType.DOUBLE, shape);
            m.put(name, name.endsWith(".bias") ? v.muli(0.3) : v);
        });
        return ParameterStore.fromCanonical(m, DataType.DOUBLE);
    }

    /** A frozen binding whose override records every parameter name the graph reads, in order. */
    static ParamBinding recording(SameDiff sd, ParameterStore store, Consumer<String> names) {
        return new ParamBinding(sd, store, "", n -> false, (name, theta) -> {
            names.accept(name);
            return theta;
        });
    }
}
