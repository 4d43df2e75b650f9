package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps images to feature vectors for distribution metrics ({@link FrechetDistance}, {@link Kid}).
 * The name travels with every result so that a Frechet distance in another feature space is never
 * mistaken for FID (which is the Frechet distance in pytorch-fid's Inception-v3 pool3 space,
 * {@link InceptionV3Features#FID_NAME}).
 *
 * <p><b>Thread safety:</b> Implementations in this library are thread-safe ({@code features} calls
 * are serialised per instance); the metrics call an extractor only from the calling thread, so
 * others need not be.
 */
public interface FeatureExtractor {
    /** A stable identifier, e.g. {@code "inception-v3-fid"}. */
    String name();

    /** Length of each feature vector. */
    int featureDim();

    /**
     * @param images {@code [N,3,H,W]} in [-1, 1] (any size the extractor accepts; it resizes itself)
     * @return {@code [N, featureDim()]}
     */
    INDArray features(INDArray images);
}
