package io.stylegan2.inversion.gani;

import io.stylegan2.core.Seeds;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Gradient Modification Modules of GANI: for every tuned weight {@code theta_l} (graph layout
 * {@code [kH, kW, in, out]}) a two-layer perceptron shared across the layer's rows ({@link GmmSharing}:
 * one row per output channel, that channel's filter of {@code k = kH * kW * in} values; or one row
 * per kernel, {@code k = kH * kW}):
 * <pre>
 *   X_l     = rows of the module's input ({@link GmmInput}: theta_l, the pivot gradient, or both), [rows, k_in], unit RMS
 *   H_l     = leaky_relu(X_l W1_l + b1_l, 0.2)           W1_l [k_in, width] (He init), b1_l [width] = 0
 *   D_l     = H_l W2_l + b2_l                            W2_l [width, k] = 0, b2_l [k] = 0
 *   theta'_l = theta_l + D_l (back to [kH, kW, in, out])
 * </pre>
 * {@code W2} and {@code b2} start at zero, so step 0 is the original generator. The input is a constant
 * of the graph, so the tuned generator is the original parameters with each module applied once: the
 * offsets {@link #offsets()} are what a result saves and every renderer applies.
 * <p>
 * Used as the {@link WeightOverride} of a {@code MethodGraph}; create the modules with the graph's
 * {@code SameDiff} before the graph is built (their variables are then known to the optimiser). The
 * modules compute in the data type of their inputs.
 *
 * <p><b>Thread safety:</b> Not thread-safe: it adds variables to one SameDiff graph and records the
 * offset variables while that graph is built ({@link #apply}); create it, build, train and read the
 * graph from one thread.
 */
public final class GradientModules implements WeightOverride {
    private static final double LEAK = 0.2;

    private final SameDiff sd;
    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Map<String, SDVariable> offsets = new LinkedHashMap<>();

    private record Module(long[] shape, GmmSharing sharing, SDVariable input, SDVariable w1, SDVariable b1, SDVariable w2, SDVariable b2) {}

    /**
     * @param sd     the method's graph
     * @param inputs module inputs by canonical parameter name (graph layout {@code [kH, kW, in, out]}; for
     *               {@link GmmInput#BOTH} the weights and the gradient, in that order); each is scaled to unit RMS
     * @param sharing what a row is
     * @param width  hidden units per module
     * @param seed   seed of the {@code W1} initialisation
     */
    public GradientModules(SameDiff sd, Map<String, List<INDArray>> inputs, GmmSharing sharing, int width, long seed) {
        if (width < 1) throw new IllegalArgumentException("GMM width must be >= 1, got " + width);
        if (inputs.isEmpty()) throw new IllegalArgumentException("GANI: no layer selected for a gradient modification module");
        this.sd = sd;
        SplittableRandom r = new SplittableRandom(seed);
        for (Map.Entry<String, List<INDArray>> e : inputs.entrySet()) {
            String n = e.getKey();
            List<INDArray> parts = e.getValue();
            long[] shape = parts.get(0).shape();
            DataType dt = parts.get(0).dataType();
            if (shape.length != 4) throw new IllegalArgumentException("GMM for '" + n + "': expected a conv weight [kH, kW, in, out], got shape " + java.util.Arrays.toString(shape));
            long k = sharing == GmmSharing.FILTERS ? shape[0] * shape[1] * shape[2] : shape[0] * shape[1];
            List<INDArray> xs = new ArrayList<>();
            for (INDArray p : parts) {
                if (!java.util.Arrays.equals(p.shape(), shape)) throw new IllegalArgumentException("GMM for '" + n + "': inputs of different shapes");
                xs.add(unitRms(rows(p.castTo(dt), sharing), n));
            }
            INDArray x = xs.size() == 1 ? xs.get(0) : Nd4j.concat(1, xs.toArray(INDArray[]::new));
            long kIn = x.size(1);
            String s = "gmm/" + n + "/";
            SDVariable in = sd.constant(s + "input", x.dup('c'));
            SDVariable w1 = sd.var(s + "w1", Seeds.randn(r, dt, kIn, width).muli(Math.sqrt(2.0 / (1 + LEAK * LEAK) / kIn)));
            SDVariable b1 = sd.var(s + "b1", Nd4j.zeros(dt, 1, width));
            SDVariable w2 = sd.var(s + "w2", Nd4j.zeros(dt, width, k));
            SDVariable b2 = sd.var(s + "b2", Nd4j.zeros(dt, 1, k));
            modules.put(n, new Module(shape, sharing, in, w1, b1, w2, b2));
        }
    }

    /** A graph-layout weight {@code [kH, kW, in, out]} as the module's rows. */
    static INDArray rows(INDArray w, GmmSharing sharing) {
        long[] s = w.shape();
        return sharing == GmmSharing.FILTERS
                ? w.reshape('c', s[0] * s[1] * s[2], s[3]).transpose().dup('c')                // [out, kH*kW*in]
                : w.permute(2, 3, 0, 1).dup('c').reshape('c', s[2] * s[3], s[0] * s[1]);       // [in*out, kH*kW]
    }

    /** Rows scaled to unit root-mean-square over the whole layer (a zero input stays zero). */
    private static INDArray unitRms(INDArray rows, String name) {
        double rms = rows.norm2Number().doubleValue() / Math.sqrt(rows.length());
        if (!Double.isFinite(rms)) throw new IllegalArgumentException("GMM input of '" + name + "' is not finite");
        return rms > 0 ? rows.div(rms) : rows.dup();
    }

    @Override
    public SDVariable apply(String name, SDVariable theta) {
        Module m = modules.get(name);
        if (m == null) return theta;
        SDVariable h = sd.nn().leakyRelu(m.input.mmul(m.w1).add(m.b1), LEAK);
        SDVariable rows = h.mmul(m.w2).add(m.b2);                               // [rows, k]
        long[] s = m.shape;
        SDVariable delta = m.sharing == GmmSharing.FILTERS
                ? sd.transpose(rows).reshape(s[0], s[1], s[2], s[3])
                : sd.permute(rows.reshape(s[2], s[3], s[0], s[1]), 2, 3, 0, 1);
        delta = delta.castTo(theta.dataType());
        delta = sd.identity("gmm/" + name + "/delta", delta);
        offsets.put(name, delta);
        return theta.add(name + "+gmm", delta);
    }

    /** Names of the trainable module variables, in order. */
    public List<String> variables() {
        List<String> v = new ArrayList<>();
        modules.values().forEach(m -> List.of(m.w1, m.b1, m.w2, m.b2).forEach(x -> v.add(x.name())));
        return v;
    }

    /** Canonical names of the parameters with a module. */
    public List<String> layers() {
        return List.copyOf(modules.keySet());
    }

    /** Number of trained scalars (all modules). */
    public long parameterCount() {
        long n = 0;
        for (Module m : modules.values()) n += m.w1.getArr().length() + m.b1.getArr().length() + m.w2.getArr().length() + m.b2.getArr().length();
        return n;
    }

    /** The offset variables {@code gmm/<param>/delta} (graph layout), by parameter; filled when the graph is built. */
    public Map<String, SDVariable> offsets() {
        return Collections.unmodifiableMap(offsets);
    }

    /** Current module parameters (copies) as {@code gmm/<param>/<part>}, e.g. to save with a result. */
    public Map<String, INDArray> values() {
        Map<String, INDArray> v = new LinkedHashMap<>();
        modules.forEach((n, m) -> List.of(m.w1, m.b1, m.w2, m.b2).forEach(x -> v.put(x.name(), x.getArr().dup())));
        return v;
    }
}
