package io.stylegan2.inversion.sam;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Splits an image into the segments SAM picks a latent space for. The paper uses pretrained
 * semantic segmenters (HRNet on ADE20k, a face parser, Detectron2); none can be downloaded here,
 * so the shipped ones are unsupervised superpixels ({@link SuperpixelSegmenter}, BoofCV) and
 * user-supplied label maps ({@link LabelMapSegmenter}). A segmentation network plugs in by
 * implementing this interface.
 *
 * <p><b>Thread safety:</b> Implementations should be safe to call from several threads (the
 * shipped ones are).
 */
public interface Segmenter {
    /**
     * @param name  the target's name (a label-map segmenter looks its map up by it)
     * @param image {@code [1, C, H, W]} in {@code [-1, 1]}
     */
    Segmentation segment(String name, INDArray image);

    /** What it is and its parameters, for result configs and logs. */
    String describe();

    /** Every pixel in one segment (SAM then picks one space for the whole image). */
    static Segmenter whole() {
        return new Segmenter() {
            @Override
            public Segmentation segment(String name, INDArray image) {
                return Segmentation.whole((int) image.size(2), (int) image.size(3));
            }

            @Override
            public String describe() {
                return "whole image";
            }
        };
    }
}
