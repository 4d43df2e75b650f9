package io.stylegan2.inversion.editing;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

/**
 * Does an edit still do the same thing after the generator was tuned (PTI, near-perfect)? For
 * latents {@code w} of random samples, the edit's pixel change is
 * {@code delta_0 = G_0(w + s*d) - G_0(w)} with the original generator and
 * {@code delta_t = G_t(w + s*d) - G_t(w)} with the tuned one; the report is their Pearson
 * correlation over all pixels of each sample (1 = the same change) and the norm ratio
 * {@code |delta_t| / |delta_0|} (1 = the same size), averaged over samples.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. {@link #measure} and
 * {@link #crossCorrelation} are stateless and safe to call from any thread: the {@link Generator}
 * serialises its calls and each measurement builds and closes its own {@link PatchedGenerator}.
 *
 * @param meanCorrelation  mean per-sample correlation
 * @param minCorrelation   the worst sample's correlation
 * @param meanNormRatio    mean {@code |delta_t| / |delta_0|}
 * @param samples          number of latents
 */
public record EditConsistency(double meanCorrelation, double minCorrelation, double meanNormRatio, int samples) {

    /**
     * @param g         the original generator
     * @param offsets   the tuned weight offsets (graph layout)
     * @param direction the edit
     * @param strength  its strength
     * @param samples   random latents (z ~ N(0, I) seeded with {@code seed}, truncation {@code psi})
     */
    public static EditConsistency measure(Generator g, Map<String, INDArray> offsets, Direction direction, double strength,
                                          int samples, double psi, long seed) {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        if (strength == 0) throw new IllegalArgumentException("an edit of strength 0 changes nothing; give a non-zero strength");
        INDArray ws = sampleWs(g, samples, psi, seed);
        INDArray edited = direction.apply(ws, strength);
        INDArray d0 = g.synthesis(edited, NoiseMode.CONST, 0).sub(g.synthesis(ws, NoiseMode.CONST, 0));
        INDArray dt;
        try (PatchedGenerator tg = new PatchedGenerator(g, offsets)) {
            dt = tg.synthesis(edited, NoiseMode.CONST, 0).sub(tg.synthesis(ws, NoiseMode.CONST, 0));
        }
        double sumC = 0, minC = Double.POSITIVE_INFINITY, sumR = 0;
        for (int i = 0; i < samples; i++) {
            INDArray a = sample(d0, i), b = sample(dt, i);
            double c = correlation(a, b);
            sumC += c;
            minC = Math.min(minC, c);
            sumR += b.norm2Number().doubleValue() / Math.max(a.norm2Number().doubleValue(), 1e-30);
        }
        return new EditConsistency(sumC / samples, minC, sumR / samples, samples);
    }

    /**
     * The same edit on two reconstructions of one image (e.g. a padding-space and a W+ inversion):
     * {@code delta_a = R_a(ws_a + s*d) - R_a(ws_a)} against {@code delta_b} likewise, drawn by each
     * reconstruction's renderer (its hooks and weight offsets). The norm ratio is
     * {@code |delta_a| / |delta_b|}; {@code samples} is 1.
     */
    public static EditConsistency compare(Generator g, io.stylegan2.inversion.Reconstruction a, io.stylegan2.inversion.Reconstruction b,
                                          Direction direction, double strength) {
        try (io.stylegan2.inversion.ReconstructionRenderer ra = new io.stylegan2.inversion.ReconstructionRenderer(g, a);
             io.stylegan2.inversion.ReconstructionRenderer rb = new io.stylegan2.inversion.ReconstructionRenderer(g, b)) {
            return compare(ra, a.latent().ws(), rb, b.latent().ws(), direction, strength);
        }
    }

    /**
     * As {@link #compare(Generator, io.stylegan2.inversion.Reconstruction, io.stylegan2.inversion.Reconstruction, Direction, double)}
     * with each reconstruction drawn by a given renderer (a method's own, e.g. SAM's, which freezes features inside its masks):
     * {@code delta_a = a(wsA + s*d) - a(wsA)}, likewise {@code delta_b}; the norm ratio {@code |delta_a| / |delta_b|} is how much
     * of {@code b}'s change survives in {@code a}.
     */
    public static EditConsistency compare(io.stylegan2.inversion.Renderer a, INDArray wsA, io.stylegan2.inversion.Renderer b, INDArray wsB,
                                          Direction direction, double strength) {
        if (strength == 0) throw new IllegalArgumentException("an edit of strength 0 changes nothing; give a non-zero strength");
        INDArray da = a.render(direction.apply(wsA, strength)).sub(a.render(wsA)), db = b.render(direction.apply(wsB, strength)).sub(b.render(wsB));
        double c = correlation(sample(da, 0), sample(db, 0));
        double r = da.norm2Number().doubleValue() / Math.max(db.norm2Number().doubleValue(), 1e-30);
        return new EditConsistency(c, c, r, 1);
    }

    /** W+ of {@code samples} seeded N(0, I) latents at truncation {@code psi}. */
    private static INDArray sampleWs(Generator g, int samples, double psi, long seed) {
        return g.mapping(io.stylegan2.core.Seeds.randn(seed, g.params().dataType(), samples, g.config().zDim()), psi);
    }

    /** Image {@code i} of a batch as a flat float64 vector. */
    private static INDArray sample(INDArray batch, int i) {
        return batch.get(NDArrayIndex.point(i)).castTo(DataType.DOUBLE).reshape(-1);
    }

    /** Pearson correlation of two vectors (0 when either is constant). */
    public static double correlation(INDArray a, INDArray b) {
        INDArray x = a.sub(a.meanNumber()), y = b.sub(b.meanNumber());
        double den = x.norm2Number().doubleValue() * y.norm2Number().doubleValue();
        return den == 0 ? 0 : x.mul(y).sumNumber().doubleValue() / den;
    }

    /**
     * The yardstick for {@link #meanCorrelation()}: the mean per-sample correlation between the pixel changes of two
     * <em>different</em> directions on the original generator (near 0 for unrelated edits).
     */
    public static double crossCorrelation(Generator g, Direction a, Direction b, double strength, int samples, double psi, long seed) {
        INDArray ws = sampleWs(g, samples, psi, seed);
        INDArray base = g.synthesis(ws, NoiseMode.CONST, 0);
        INDArray da = g.synthesis(a.apply(ws, strength), NoiseMode.CONST, 0).sub(base);
        INDArray db = g.synthesis(b.apply(ws, strength), NoiseMode.CONST, 0).sub(base);
        double sum = 0;
        for (int i = 0; i < samples; i++)
            sum += correlation(sample(da, i), sample(db, i));
        return sum / samples;
    }
}
