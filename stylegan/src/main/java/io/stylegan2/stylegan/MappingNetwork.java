package io.stylegan2.stylegan;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.stylegan.layers.FullyConnectedLayer;
import io.stylegan2.stylegan.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 mapping network as a graph builder: {@code z [N, z_dim]} is normalised by its second
 * moment, passed through {@code mapping_layers} equalised-lr fully connected layers
 * ({@code lr_multiplier}, leaky ReLU) and broadcast to {@code [N, num_ws, w_dim]}; truncation then
 * moves rows towards {@code w_avg}: {@code w_avg + psi (w - w_avg)} for rows below the cutoff.
 *
 * <p>Parameters: those of the {@link FullyConnectedLayer}s {@code mapping.fc<i>} and the buffer
 * {@code mapping.w_avg [w_dim]}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its builders add ops to the
 * binding's SameDiff, which is not thread-safe: build one graph from one thread.
 */
public final class MappingNetwork {
    /** Canonical name of the tracked average of W. */
    static final String W_AVG = "mapping.w_avg";

    private final GeneratorConfig cfg;
    private final List<FullyConnectedLayer> layers;

    public MappingNetwork(GeneratorConfig cfg) {
        this.cfg = cfg;
        List<FullyConnectedLayer> l = new ArrayList<>();
        for (int i = 0; i < cfg.mappingLayers(); i++)
            l.add(new FullyConnectedLayer("mapping.fc" + i, i == 0 ? cfg.zDim() : cfg.wDim(), cfg.wDim(), Activation.LRELU, cfg.lrMultiplier()));
        this.layers = List.copyOf(l);
    }

    /** The fully connected layers {@code mapping.fc0, fc1, ...} (the layer tier). */
    public List<FullyConnectedLayer> layers() {
        return layers;
    }

    /** Canonical names and shapes of the mapping parameters (w_avg last), in state-dict-like order. */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> m = Layer.shapesOf(layers);
        m.put(W_AVG, new long[]{cfg.wDim()});
        return m;
    }

    /** {@code z [N, z_dim]} to {@code w [N, w_dim]} (no broadcast, no truncation). */
    public SDVariable w(ParamBinding p, SDVariable z) {
        SDVariable x = z.mul(z.mul(z).mean(true, 1).add(1e-8).pow(-0.5));
        for (FullyConnectedLayer fc : layers) x = fc.forward(p, x);
        return x;
    }

    /**
     * {@code z} to truncated W+ {@code [N, num_ws, w_dim]}.
     *
     * @param truncCoef {@code [num_ws]} per-row truncation factors (psi for rows below the cutoff, 1
     *                  above), see {@link #truncationCoefficients}; a placeholder so one graph serves all psi
     */
    public SDVariable ws(ParamBinding p, SDVariable z, SDVariable truncCoef) {
        SDVariable w = w(p, z);
        SDVariable avg = p.get(W_AVG).reshape(1, 1, cfg.wDim());
        SDVariable w3 = w.reshape(-1, 1, cfg.wDim());
        return avg.add(w3.sub(avg).mul(truncCoef.reshape(1, cfg.numWs(), 1)));
    }

    /** Largest |truncation_psi| accepted (1 = no truncation; beyond this the codes leave any sensible range and overflow). */
    public static final double MAX_ABS_PSI = 100;

    /** {@code [num_ws]} filled with {@code psi}: every row truncated. */
    public static INDArray truncationCoefficients(int numWs, double psi, org.nd4j.linalg.api.buffer.DataType dt) {
        return truncationCoefficients(numWs, psi, numWs, dt);
    }

    /**
     * {@code [num_ws]} with {@code psi} for rows {@code < cutoff} and 1 elsewhere ({@code truncation_cutoff}:
     * {@code 0 <= cutoff}; a cutoff of num_ws or more truncates every row, as {@link #truncationCoefficients(int, double, org.nd4j.linalg.api.buffer.DataType)}).
     */
    public static INDArray truncationCoefficients(int numWs, double psi, int cutoff, org.nd4j.linalg.api.buffer.DataType dt) {
        if (!Double.isFinite(psi) || Math.abs(psi) > MAX_ABS_PSI)
            throw new IllegalArgumentException("truncation_psi must be finite and within [-" + MAX_ABS_PSI + ", " + MAX_ABS_PSI + "], got " + psi);
        if (cutoff < 0) throw new IllegalArgumentException("truncation_cutoff must be >= 0, got " + cutoff + " (leave it out to truncate every row)");
        INDArray c = Nd4j.ones(dt, numWs);
        int n = Math.min(cutoff, numWs);
        for (int i = 0; i < n; i++) c.putScalar(i, psi);
        return c;
    }
}
