package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The StyleGAN2 mapping network as a graph builder: {@code z [N, z_dim]} is normalised by its second
 * moment, passed through {@code mapping_layers} equalised-lr fully connected layers
 * ({@code lr_multiplier}, leaky ReLU) and broadcast to {@code [N, num_ws, w_dim]}; truncation then
 * moves rows towards {@code w_avg}: {@code w_avg + psi (w - w_avg)} for rows below the cutoff.
 */
public final class MappingNetwork {
    private final GeneratorConfig cfg;

    public MappingNetwork(GeneratorConfig cfg) {
        this.cfg = cfg;
    }

    /** {@code z [N, z_dim]} to {@code w [N, w_dim]} (no broadcast, no truncation). */
    public SDVariable w(ParamBinding p, SDVariable z) {
        SDVariable x = z.mul(z.mul(z).mean(true, 1).add(1e-8).pow(-0.5));
        int in = cfg.zDim();
        for (int i = 0; i < cfg.mappingLayers(); i++) {
            String pre = "mapping.fc" + i;
            x = Ops.fc(x, p.get(pre + ".weight"), p.get(pre + ".bias"), cfg.lrMultiplier() / Math.sqrt(in), cfg.lrMultiplier(), true);
            in = cfg.wDim();
        }
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
        SDVariable avg = p.get("mapping.w_avg").reshape(1, 1, cfg.wDim());
        SDVariable w3 = w.reshape(-1, 1, cfg.wDim());
        return avg.add(w3.sub(avg).mul(truncCoef.reshape(1, cfg.numWs(), 1)));
    }

    /** {@code [num_ws]} with {@code psi} for rows {@code < cutoff} ({@code cutoff < 0}: all rows) and 1 elsewhere. */
    public static INDArray truncationCoefficients(int numWs, double psi, int cutoff, org.nd4j.linalg.api.buffer.DataType dt) {
        INDArray c = Nd4j.ones(dt, numWs);
        int n = cutoff < 0 ? numWs : Math.min(cutoff, numWs);
        for (int i = 0; i < n; i++) c.putScalar(i, psi);
        return c;
    }
}
