package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.core.linalg.SymmetricEigen;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SeFa (Shen &amp; Zhou 2021), closed-form factorisation of the style affine weights.
 *
 * <p>For the W+ rows in the range, the affine weights {@code A_l [C_l, w_dim]} (PyTorch layout) of
 * the layers fed by those rows are stacked; as in the official code each weight row (one style
 * channel, a vector in W) is normalised to unit L2 norm, which also makes NVlabs' weight gain
 * {@code 1/sqrt(w_dim)} irrelevant; the directions are the top {@code k} eigenvectors of
 * {@code A^T A} ({@code [w_dim, w_dim]}, float64), unit W vectors {@code sefa0, sefa1, ...} with
 * scale 1 (strength = distance in W), editing exactly those rows.
 *
 * <p>Layers per row follow the official StyleGAN2 port: row {@code r} uses the modulated conv
 * layers whose {@code wsIndex} is {@code r}, and the last row the final ToRGB. With
 * {@code includeToRgb} every ToRGB whose row is in range is added too.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (it reads the
 * generator's parameters and works on copies).
 */
public final class SeFa {
    private SeFa() {}

    /** Modulated layer ids (e.g. {@code b8.conv0}, {@code b32.torgb}) whose affine weights enter the factorisation for the given rows. */
    public static List<String> layers(Generator g, LayerRange rows, boolean includeToRgb) {
        SynthesisNetwork net = g.synthesisNetwork();
        int numWs = g.config().numWs();
        List<String> ids = new ArrayList<>();
        for (String l : net.convLayers()) {
            int r = net.wsIndex(l);
            if (r >= rows.start() && r < rows.end()) ids.add(l);
        }
        for (int res : g.config().blockResolutions()) {
            String t = "b" + res + ".torgb";
            int r = net.wsIndex(t);
            boolean last = res == g.config().imgResolution();
            if (r >= rows.start() && r < rows.end() && (includeToRgb || (last && r == numWs - 1))) ids.add(t);
        }
        if (ids.isEmpty()) throw new IllegalArgumentException("no modulated layer reads W+ rows [" + rows.start() + ", " + rows.end() + ")");
        return ids;
    }

    public static List<Direction> compute(Generator g, int components, LayerRange rows) {
        return compute(g, components, rows, false);
    }

    public static List<Direction> compute(Generator g, int components, LayerRange rows, boolean includeToRgb) {
        int wDim = g.config().wDim();
        if (components < 1 || components > wDim) throw new IllegalArgumentException("components must be in [1, w_dim=" + wDim + "], got " + components);
        if (rows.end() > g.config().numWs()) throw new IllegalArgumentException("layer range end " + rows.end() + " exceeds num_ws " + g.config().numWs());
        List<String> ids = layers(g, rows, includeToRgb);
        INDArray ata = Nd4j.zeros(DataType.DOUBLE, wDim, wDim);
        for (String id : ids) {
            INDArray a = g.params().get("synthesis." + id + ".affine.weight").castTo(DataType.DOUBLE).dup('c');   // [C, w_dim]
            INDArray norms = org.nd4j.linalg.ops.transforms.Transforms.max(a.norm2(1), 1e-30).reshape(a.size(0), 1);
            a.diviColumnVector(norms);
            ata.addi(a.transpose().mmul(a));
        }
        SymmetricEigen.Result eig = SymmetricEigen.decompose(ata);
        List<Direction> out = new ArrayList<>();
        for (int i = 0; i < components; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("component", i);
            p.put("eigenvalue", eig.values()[i]);
            p.put("layers", ids);
            p.put("include_torgb", includeToRgb);
            out.add(new Direction("sefa" + i, LatentSpace.W, Nd4j.createFromArray(eig.vectors()[i]), rows.start(), rows.end(), 1.0,
                    new Provenance("sefa", p)));
        }
        return out;
    }
}
