package io.stylegan2.losses;

import io.stylegan2.stylegan.Generator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Random;

/**
 * SAM's multivariate Gaussian prior on the leaky-ReLU-inverted W space ("V space").
 *
 * <p>{@code v = lrelu_5(w)} ({@code v = w} for {@code w >= 0}, {@code 5w} otherwise) undoes the
 * mapping network's final leaky ReLU (slope 0.2), where W is closer to Gaussian. {@link #fit}
 * estimates {@code mu} and {@code Sigma} (unbiased, {@code 1/(n-1)}, plus {@code 1e-8 I}) from
 * mapping samples in double precision; the loss is the mean squared Mahalanobis distance
 * {@code mean_rows (v - mu)^T Sigma^-1 (v - mu)} over every code row (SAM sums over rows and
 * weights the sum by 1e-8; with our mean, multiply the weight by the number of rows to match).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the arrays are not copied, so it is safe to share
 * as long as no thread mutates them. {@link #loss} adds ops to the caller's SameDiff, which is not
 * thread-safe: build one graph from one thread.
 *
 * @param mean   {@code mu [w_dim]} (DOUBLE)
 * @param invCov {@code Sigma^-1 [w_dim, w_dim]} (DOUBLE)
 */
public record GaussianPrior(INDArray mean, INDArray invCov) {
    private static final Logger log = LoggerFactory.getLogger(GaussianPrior.class);

    /** Ridge added to the covariance before inversion (SAM). */
    public static final double RIDGE = 1e-8;
    /** SAM's sample count. */
    public static final int SAM_SAMPLES = 5000;

    public GaussianPrior {
        if (mean.rank() != 1 || invCov.rank() != 2 || invCov.size(0) != mean.length() || invCov.size(1) != mean.length())
            throw new IllegalArgumentException("Gaussian prior: mean [d] and inverse covariance [d, d] expected");
    }

    /**
     * Fits the prior to {@code samples} mapping outputs {@code w = mapping(z)} (no truncation,
     * first row), {@code z} drawn N(0,1) from {@code java.util.Random(seed)}.
     */
    public static GaussianPrior fit(Generator g, int samples, long seed) {
        if (samples < 2) throw new IllegalArgumentException("Gaussian prior needs >= 2 samples, got " + samples);
        INDArray w = g.sampleW(samples, seed);
        log.debug("Gaussian prior: fitting to {} mapping samples (w_dim {})", samples, g.config().wDim());
        return fromW(w);
    }

    /** The prior of given W samples {@code [n, w_dim]} (any float type; computed in double). */
    public static GaussianPrior fromW(INDArray w) {
        INDArray v = invertLrelu(w.castTo(DataType.DOUBLE));
        long n = v.size(0), d = v.size(1);
        INDArray mu = v.mean(0);
        INDArray c = v.subRowVector(mu);
        INDArray cov = c.transpose().mmul(c).divi(n - 1).addi(Nd4j.eye(d).castTo(DataType.DOUBLE).muli(RIDGE));
        return new GaussianPrior(mu.reshape(d), inverse(cov));
    }

    /**
     * The inverse of a symmetric positive-definite matrix from its eigendecomposition (LAPACK dsyev):
     * {@code V diag(1/lambda) V^T}. ND4J's {@code matrix_inverse} op fails on some well-conditioned
     * float64 covariances (seen on the Fashion-MNIST model's 64 x 64 one at 5000 samples).
     */
    static INDArray inverse(INDArray spd) {
        io.stylegan2.core.linalg.SymmetricEigen.Result e = io.stylegan2.core.linalg.SymmetricEigen.decompose(spd);
        INDArray v = e.vectorRows();                       // rows are eigenvectors
        double[] inv = new double[e.values().length];
        for (int i = 0; i < inv.length; i++) {
            if (!(e.values()[i] > 0)) throw new ArithmeticException("Gaussian prior: covariance is not positive definite (eigenvalue " + e.values()[i] + ")");
            inv[i] = 1.0 / e.values()[i];
        }
        INDArray scaled = v.mulColumnVector(Nd4j.createFromArray(inv).reshape(inv.length, 1));
        return v.transpose().mmul(scaled);
    }

    /** {@code lrelu_5} on an array (a copy). */
    public static INDArray invertLrelu(INDArray w) {
        return w.add(org.nd4j.linalg.ops.transforms.Transforms.min(w, 0.0, true).muli(4)); // w + 4 min(w, 0)
    }

    /**
     * The loss {@code mean_rows (v - mu)^T Sigma^-1 (v - mu)}, {@code v = lrelu_5(w)}, a scalar.
     * Constants are cast to the type of {@code w} (use a DOUBLE graph for SAM's precision).
     *
     * @param w {@code [..., w_dim]}, e.g. {@code [N, num_ws, w_dim]}
     */
    public SDVariable loss(SDVariable w) {
        SameDiff sd = w.getSameDiff();
        long d = mean.length();
        SDVariable v = w.sub(sd.nn().relu(w.neg(), 0).mul(4)); // w + 4 min(w, 0)
        SDVariable rows = sd.reshape(v, sd.constant(Nd4j.createFromArray(-1L, d)));
        SDVariable c = rows.sub(sd.constant(mean.castTo(w.dataType()).reshape(1, d)));
        SDVariable q = c.mmul(sd.constant(invCov.castTo(w.dataType()))).mul(c).sum(1);
        return q.mean();
    }
}
