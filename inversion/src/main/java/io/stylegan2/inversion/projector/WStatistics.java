package io.stylegan2.inversion.projector;

import io.stylegan2.core.Seeds;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The projector's {@code w} statistics: {@code n} z drawn as {@code np.random.RandomState(seed).randn(n, z_dim)},
 * mapped at truncation 1; {@code wAvg} is the mean of the first W+ row, {@code wStd} the scalar
 * {@code sqrt(sum ||w - wAvg||^2 / n)}.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: {@code wAvg} is not copied, so share it only if no
 * thread mutates it. {@link #compute} is stateless and safe to call from any thread.
 *
 * @param wAvg {@code [w_dim]} float32
 * @param wStd scalar
 */
public record WStatistics(INDArray wAvg, double wStd, int samples) {

    public static WStatistics compute(Generator g, int n, long seed) {
        int zDim = g.config().zDim(), wDim = g.config().wDim();
        Seeds.RandomState rs = new Seeds.RandomState(seed);
        INDArray all = Nd4j.create(DataType.DOUBLE, n, wDim);
        for (int done = 0; done < n; done += 1000) {
            int b = Math.min(1000, n - done);
            INDArray z = Nd4j.create(rs.randn(b * zDim), new long[]{b, zDim}, DataType.DOUBLE).castTo(DataType.FLOAT);
            INDArray w = g.mapping(z, 1.0).get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
            all.get(NDArrayIndex.interval(done, done + b), NDArrayIndex.all()).assign(w.castTo(DataType.DOUBLE));
        }
        INDArray avg = all.mean(0);
        INDArray d = all.subRowVector(avg);
        double std = Math.sqrt(d.mul(d).sumNumber().doubleValue() / n);
        return new WStatistics(avg.castTo(DataType.FLOAT), std, n);
    }
}
