package io.stylegan2.metrics;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.linalg.SymmetricEigen;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frechet distance between Gaussians fitted to two feature sets:
 * {@code ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))}, in float64.
 *
 * <p>The trace of the matrix square root is computed without a non-symmetric {@code sqrtm}:
 * {@code Tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i(S1^(1/2) S2 S1^(1/2)))}, where {@code S1^(1/2)}
 * comes from the symmetric eigen-decomposition of S1 (negative rounding eigenvalues clipped to 0)
 * and the middle matrix is symmetric positive semi-definite (its tiny negative eigenvalues are
 * clipped too). This equals pytorch-fid's {@code scipy.linalg.sqrtm}-based value (tested to 1e-6
 * relative, see {@code src/test/python/fid_kid_reference.py}) and stays real and finite for singular
 * covariances (fewer samples than dimensions), where scipy needs pytorch-fid's {@code eps * I} retry.
 *
 * <p>The value is <b>FID</b> only with {@link InceptionV3Features} in its pytorch-fid variant
 * ({@link InceptionV3Features#FID_NAME}); with any other extractor the result is named
 * {@code "FD-<extractor>"} and is not comparable with published FIDs. FID is biased by the sample
 * count: compare values computed with the same numbers of images (usually 50k generated against the
 * full training set).
 *
 * <p><b>Thread safety:</b> Immutable; the static methods are stateless. {@link #statistics} and
 * {@link #compute(INDArray, INDArray)} are as thread-safe as the extractor (those in this library
 * serialise their calls).
 */
public final class FrechetDistance {
    private final FeatureExtractor extractor;
    private final int batchSize;

    /**
     * @param metric    "FID" or "FD-&lt;extractor&gt;"
     * @param extractor the extractor's name
     */
    public record Result(String metric, String extractor, double value, long countA, long countB) {}

    public FrechetDistance(FeatureExtractor extractor, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1");
        this.extractor = extractor;
        this.batchSize = batchSize;
    }

    /** "FID" for the pytorch-fid Inception features, otherwise "FD-" + extractor name. */
    public static String metricName(String extractorName) {
        return InceptionV3Features.FID_NAME.equals(extractorName) ? "FID" : "FD-" + extractorName;
    }

    public String metricName() { return metricName(extractor.name()); }

    /** Feature statistics of {@code images [N,3,H,W]} in [-1,1], extracted in batches. */
    public FeatureStatistics statistics(INDArray images) {
        FeatureStatistics.Accumulator acc = new FeatureStatistics.Accumulator(extractor.name());
        long n = images.size(0);
        for (long i = 0; i < n; i += batchSize) {
            INDArray b = images.get(NDArrayIndex.interval(i, Math.min(n, i + batchSize)), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            acc.add(extractor.features(b));
            MemoryPolicy.step();
        }
        return acc.finish();
    }

    /** All features {@code [N, D]} of {@code images}, extracted in batches. */
    public static INDArray features(FeatureExtractor extractor, INDArray images, int batchSize) {
        long n = images.size(0);
        java.util.List<INDArray> parts = new java.util.ArrayList<>();
        for (long i = 0; i < n; i += batchSize) {
            parts.add(extractor.features(images.get(NDArrayIndex.interval(i, Math.min(n, i + batchSize)), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())));
            MemoryPolicy.step();
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    /**
     * Feature statistics of image files (read as RGB in [-1, 1]); consecutive images of one size are
     * extracted together, up to the batch size, so a folder may mix sizes (the extractor resizes).
     * A file that cannot be read is left out with a note in {@code skipped}.
     */
    public FeatureStatistics statistics(List<Path> files, Progress progress, List<String> skipped) {
        Progress p = Progress.orNone(progress);
        FeatureStatistics.Accumulator acc = new FeatureStatistics.Accumulator(extractor.name());
        List<INDArray> batch = new ArrayList<>();
        p.start(metricName() + " features", files.size());
        try {
            for (int i = 0; i < files.size(); i++) {
                INDArray img;
                try {
                    img = Images.read(files.get(i), 3);
                } catch (IOException | RuntimeException e) {
                    skipped.add(files.get(i) + ": " + e.getMessage());
                    continue;
                }
                if (!batch.isEmpty() && (batch.size() == batchSize || !Arrays.equals(batch.get(0).shape(), img.shape()))) flush(batch, acc);
                batch.add(img);
                p.update(i + 1);
            }
            flush(batch, acc);
        } finally {
            p.end();
        }
        return acc.finish();
    }

    private void flush(List<INDArray> batch, FeatureStatistics.Accumulator acc) {
        if (batch.isEmpty()) return;
        acc.add(extractor.features(Nd4j.concat(0, batch.toArray(INDArray[]::new))));
        batch.clear();
        MemoryPolicy.step();
    }

    /**
     * The distance between the images of two folders ({@link DirectoryPairs#images}: every image,
     * paired or not; {@code grid.png} left out). Each folder needs at least two readable images; FID
     * is biased upwards at small counts (the usual protocol uses 50 000).
     *
     * @param skipped receives a note per unreadable file
     * @throws IOException when a folder cannot be listed
     */
    public Result compute(Path folderA, Path folderB, Progress progress, List<String> skipped) throws IOException {
        List<Path> a = DirectoryPairs.images(folderA), b = DirectoryPairs.images(folderB);
        requireTwo(folderA, a);
        requireTwo(folderB, b);
        return compute(statistics(a, progress, skipped), statistics(b, progress, skipped));
    }

    private void requireTwo(Path folder, List<Path> images) {
        if (images.size() < 2) throw new IllegalArgumentException(metricName() + " needs at least 2 images in " + folder + ", found " + images.size());
    }

    /** Distance between the feature distributions of two image sets. */
    public Result compute(INDArray imagesA, INDArray imagesB) {
        return compute(statistics(imagesA), statistics(imagesB));
    }

    /** Distance between two precomputed statistics (both must come from the same extractor). */
    public static Result compute(FeatureStatistics a, FeatureStatistics b) {
        if (!a.extractor().equals(b.extractor()))
            throw new IllegalArgumentException("statistics from different extractors: " + a.extractor() + " vs " + b.extractor());
        return new Result(metricName(a.extractor()), a.extractor(), distance(a.mean(), a.cov(), b.mean(), b.cov()), a.count(), b.count());
    }

    /** {@code ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2))} in float64. */
    public static double distance(INDArray mu1, INDArray s1, INDArray mu2, INDArray s2) {
        INDArray m1 = mu1.castTo(DataType.DOUBLE).reshape(-1), m2 = mu2.castTo(DataType.DOUBLE).reshape(-1);
        INDArray c1 = s1.castTo(DataType.DOUBLE), c2 = s2.castTo(DataType.DOUBLE);
        if (m1.length() != m2.length() || c1.size(0) != m1.length() || c2.size(0) != m1.length())
            throw new IllegalArgumentException("dimension mismatch");
        INDArray d = m1.sub(m2);
        double meanTerm = d.mul(d).sumNumber().doubleValue();
        return meanTerm + trace(c1) + trace(c2) - 2 * traceSqrtProduct(c1, c2);
    }

    static double trace(INDArray m) {
        double t = 0;
        for (long i = 0; i < m.size(0); i++) t += m.getDouble(i, i);
        return t;
    }

    /** {@code Tr((S1 S2)^(1/2))} for symmetric PSD S1, S2 via {@code S1^(1/2) S2 S1^(1/2)}. */
    static double traceSqrtProduct(INDArray s1, INDArray s2) {
        SymmetricEigen.Result e = SymmetricEigen.decompose(s1, true);
        double[] lam = e.values();
        double[] r = new double[lam.length];
        for (int i = 0; i < lam.length; i++) r[i] = Math.sqrt(Math.max(lam[i], 0.0));
        INDArray vt = e.vectorRows();                                    // rows are eigenvectors
        INDArray sqrt1 = vt.transpose().mulRowVector(Nd4j.createFromArray(r)).mmul(vt);
        INDArray mid = sqrt1.mmul(s2).mmul(sqrt1);
        double t = 0;
        for (double l : SymmetricEigen.decompose(mid, false).values()) t += Math.sqrt(Math.max(l, 0.0));
        return t;
    }
}
