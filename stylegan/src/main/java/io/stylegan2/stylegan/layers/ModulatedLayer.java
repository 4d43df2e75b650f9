package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the synthesis network's layers share: an {@code affine} ({@link FullyConnectedLayer}, w_dim
 * to in, linear) that maps a W row to styles, and a modulated {@code k x k} conv with
 * {@code <prefix>.weight [out, in, k, k]} and {@code <prefix>.bias [out]}.
 */
public abstract sealed class ModulatedLayer implements Layer permits SynthesisLayer, ToRgbLayer {
    private final String prefix;
    private final String id;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int resolution;
    private final List<Double> filter;
    private final Double convClamp;
    private final FullyConnectedLayer affine;

    ModulatedLayer(String prefix, String id, int inChannels, int outChannels, int kernel, int wDim, int resolution,
                   List<Double> filter, Double convClamp) {
        this.prefix = prefix;
        this.id = id;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.resolution = resolution;
        this.filter = filter;
        this.convClamp = convClamp;
        this.affine = new FullyConnectedLayer(prefix + ".affine", wDim, inChannels, Activation.LINEAR, 1.0);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    /** The layer id in the network, e.g. {@code b16.conv0} (hook and W+ row lookups). */
    public String id() {
        return id;
    }

    /** Output resolution r. */
    public int resolution() {
        return resolution;
    }

    int inChannels() {
        return inChannels;
    }

    Double convClamp() {
        return convClamp;
    }

    /** W row {@code [N, w_dim]} to styles {@code [N, in]}. */
    public abstract SDVariable styles(ParamBinding p, SDVariable w);

    /** The affine's output {@code [N, in]}. */
    SDVariable affine(ParamBinding p, SDVariable w) {
        return affine.forward(p, w);
    }

    /** Parameters between the bias and the affine's (none by default). */
    void ownShapes(Map<String, long[]> m) {}

    @Override
    public final Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(param("weight"), new long[]{outChannels, inChannels, kernel, kernel});
        m.put(param("bias"), new long[]{outChannels});
        ownShapes(m);
        m.putAll(affine.parameterShapes());
        return m;
    }

    /** The modulated conv of {@code x} with the layer's weight (see {@link LayerOps#modulatedConv}). */
    SDVariable modulatedConv(ParamBinding p, SDVariable x, SDVariable styles, int up, boolean demodulate, UnaryOperator<SDVariable> padder, long batch) {
        LayerOps.checkInput(prefix, x, inChannels, resolution / up);
        long[] wShape = {kernel, kernel, inChannels, outChannels};
        return LayerOps.modulatedConv(x, p.get(param("weight")), wShape, styles, up, demodulate, padder, filter, batch, resolution / up);
    }
}
