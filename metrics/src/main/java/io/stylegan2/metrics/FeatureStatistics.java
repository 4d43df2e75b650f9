package io.stylegan2.metrics;

import io.stylegan2.core.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mean and covariance of a feature set in float64, as pytorch-fid: {@code np.mean(f, axis=0)},
 * {@code np.cov(f, rowvar=False)} (unbiased, divisor N-1).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the arrays are not copied, so it is safe to share
 * as long as no thread mutates them. The {@link Accumulator} is not thread-safe.
 *
 * @param extractor the {@link FeatureExtractor#name()} the features came from ("" if unknown)
 * @param count     number of feature vectors
 * @param mean      {@code [D]} float64
 * @param cov       {@code [D,D]} float64
 */
public record FeatureStatistics(String extractor, long count, INDArray mean, INDArray cov) {

    /** Two-pass statistics of {@code features [N,D]} (N >= 2). */
    public static FeatureStatistics of(String extractor, INDArray features) {
        if (features.rank() != 2 || features.size(0) < 2)
            throw new IllegalArgumentException("need features [N>=2, D], got " + java.util.Arrays.toString(features.shape()));
        INDArray f = features.castTo(DataType.DOUBLE);
        INDArray mu = f.mean(0);
        INDArray c = f.subRowVector(mu);
        INDArray cov = c.transpose().mmul(c).divi(f.size(0) - 1);
        return new FeatureStatistics(extractor, f.size(0), mu, cov);
    }

    /**
     * Streaming accumulation (sums and X^T X in float64) over batches of features.
     *
     * <p><b>Thread safety:</b> Not thread-safe: use one instance per thread (or guard it
     * externally).
     */
    public static final class Accumulator {
        private final String extractor;
        private INDArray sum, gram;
        private long count;

        public Accumulator(String extractor) { this.extractor = extractor; }

        public Accumulator add(INDArray features) {
            INDArray f = features.castTo(DataType.DOUBLE);
            if (sum == null) {
                sum = Nd4j.zeros(DataType.DOUBLE, f.size(1));
                gram = Nd4j.zeros(DataType.DOUBLE, f.size(1), f.size(1));
            }
            sum.addi(f.sum(0));
            gram.addi(f.transpose().mmul(f));
            count += f.size(0);
            return this;
        }

        public FeatureStatistics finish() {
            if (count < 2) throw new IllegalStateException("need at least 2 feature vectors, have " + count);
            INDArray mu = sum.div(count);
            INDArray outer = mu.reshape(-1, 1).mmul(mu.reshape(1, -1)).muli(count);
            return new FeatureStatistics(extractor, count, mu, gram.sub(outer).divi(count - 1));
        }
    }

    /** Writes {@code mu}, {@code sigma} (float64) and the extractor name / count as metadata. */
    public void save(Path file) throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("mu", mean);
        t.put("sigma", cov);
        Safetensors.write(file, t, Map.of("extractor", extractor, "count", Long.toString(count)));
    }

    public static FeatureStatistics load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        return new FeatureStatistics(c.metadata().getOrDefault("extractor", ""),
                Long.parseLong(c.metadata().getOrDefault("count", "0")),
                c.tensors().get("mu").castTo(DataType.DOUBLE), c.tensors().get("sigma").castTo(DataType.DOUBLE));
    }
}
