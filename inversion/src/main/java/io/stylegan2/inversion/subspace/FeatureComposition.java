package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

/**
 * Multi-code feature composition at one synthesis block, the operation mGANprior and PmSFC share:
 * {@code n} W+ codes run the synthesis network up to block {@code bR}; their outputs {@code F_n}
 * are combined channel-wise, {@code f = sum_n F_n * weights_n} ({@code weights [n, C]}); the rest
 * of the network runs from the next block with the <em>last</em> code's W+ rows and its running RGB
 * image ({@link SynthesisNetwork.Start}).
 * <ul>
 *   <li>PmSFC: codes {@code 0..K-1} weighted by their subspace's binary channel mask, the last (the
 *       base code) by ones: {@code f = sum_k F_k * m_k + F_base}.</li>
 *   <li>mGANprior: every code weighted by its trained channel importance {@code alpha_n}.</li>
 * </ul>
 * A composition result is a {@link Reconstruction} whose latent is the last code with the feature
 * offset {@code f - F_last} at the block (so any renderer of W+F latents draws the same image), and
 * whose extras hold the codes ({@value #CODES}) and the weights ({@value #WEIGHTS}).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each call builds
 * its own graph; the {@code Generator} serialises its calls).
 */
public final class FeatureComposition {
    /** Extras key of the codes {@code [n, num_ws, w_dim]}. */
    public static final String CODES = "composition/codes";
    /** Extras key of the channel weights {@code [n, C]}. */
    public static final String WEIGHTS = "composition/weights";

    private FeatureComposition() {}

    /** {@code sum_n F_n * weights_n} of the block's outputs {@code [n, C, r, r]}: {@code [1, C, r, r]}; {@code weights} is {@code [n, C, 1, 1]}. */
    static SDVariable compose(SynthesisNetwork.Output pre, SDVariable weights, String block) {
        return pre.blockFeatures().get(block).mul(weights).sum(true, 0);
    }

    /** Rows {@code [from, to)} of a rank-3 or rank-4 variable. */
    static SDVariable rows(SDVariable v, int from, int to, int rank) {
        SDIndex[] idx = new SDIndex[rank];
        idx[0] = SDIndex.interval(from, to);
        for (int i = 1; i < rank; i++) idx[i] = SDIndex.all();
        return v.get(idx);
    }

    /**
     * The composed image {@code [1, C, R, R]} (float32) of {@code codes [n, num_ws, w_dim]} with
     * {@code weights [n, C]} at {@code block} ({@code CONST} or {@code NONE} noise).
     */
    public static INDArray render(Generator g, INDArray codes, INDArray weights, String block, NoiseMode noise) {
        return new Graph(g, weights, block, noise, codes.size(0)).render(codes);
    }

    /**
     * The forward graph of one composition (weights, block and noise fixed, the codes fed), built
     * once and run for every render, as {@link CompositionRenderer} does for a strip of edits.
     * Not thread-safe (one SameDiff graph); its owner serialises the calls.
     */
    static final class Graph {
        private final SameDiff sd = SameDiff.create();
        private final String output;
        private final DataType dt;
        private final long[] codesShape;

        Graph(Generator g, INDArray weights, String block, NoiseMode noise, long n) {
            GeneratorConfig cfg = g.config();
            int res = SelfExpressiveLayer.resolution(cfg, block), ch = cfg.channelsAt(res);
            if (weights.rank() != 2 || weights.size(0) != n || weights.size(1) != ch)
                throw new IllegalArgumentException("composition weights must be [" + n + ", " + ch + "] for " + block + ", got " + Arrays.toString(weights.shape()));
            if (noise == NoiseMode.RANDOM) throw new IllegalArgumentException("a feature composition renders with const or none noise, not random");
            dt = g.params().dataType();
            codesShape = new long[]{n, cfg.numWs(), cfg.wDim()};
            ParamBinding p = ParamBinding.frozen(sd, g.params(), "G/");
            SDVariable c = sd.placeHolder("codes", dt, codesShape);
            SDVariable w = sd.constant("weights", weights.castTo(dt).reshape(n, ch, 1, 1));
            SynthesisNetwork syn = g.synthesisNetwork();
            SynthesisNetwork.Output pre = syn.build(p, c, noise, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
            SDVariable f = compose(pre, w, block);
            int last = (int) n - 1;
            output = syn.build(p, rows(c, last, last + 1, 3), noise, SynthesisHooks.NONE,
                    new SynthesisNetwork.Start(2 * res, f, rows(pre.blockImages().get(block), last, last + 1, 4))).image().name();
        }

        INDArray render(INDArray codes) {
            if (!Arrays.equals(codes.shape(), codesShape))
                throw new IllegalArgumentException("composition codes must be " + Arrays.toString(codesShape) + ", got " + Arrays.toString(codes.shape()));
            return sd.output(Map.of("codes", codes.castTo(dt)), output).get(output).castTo(DataType.FLOAT).dup();
        }
    }

    /** The composition block of a composition reconstruction: its latent's one feature-offset block. */
    static String block(Reconstruction r) {
        Map<String, INDArray> o = r.latent().featureOffsets();
        if (o.size() != 1 || !r.extras().containsKey(CODES) || !r.extras().containsKey(WEIGHTS))
            throw new IllegalArgumentException("not a feature-composition reconstruction (needs one feature-offset block and extras " + CODES + ", " + WEIGHTS + ")");
        return o.keySet().iterator().next();
    }

    /**
     * The codes of a composition reconstruction moved by an edit of its latent: each code gets the
     * edit's change of the last (base) code's W+ rows, {@code codes + (edited - base)}; "edits along
     * ordinary directions apply to all codes".
     */
    static INDArray editedCodes(Reconstruction r, INDArray edited) {
        INDArray codes = r.extras().get(CODES);
        INDArray delta = edited.castTo(codes.dataType()).reshape(codes.size(1), codes.size(2))
                .sub(r.latent().ws().castTo(codes.dataType()).reshape(codes.size(1), codes.size(2)));
        INDArray out = codes.dup();
        for (int i = 0; i < codes.size(0); i++) out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).addi(delta);
        return out;
    }

    /** Code {@code k} of {@code codes}, {@code [1, num_ws, w_dim]}. */
    static INDArray code(INDArray codes, int k) {
        return codes.get(NDArrayIndex.interval(k, k + 1), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
