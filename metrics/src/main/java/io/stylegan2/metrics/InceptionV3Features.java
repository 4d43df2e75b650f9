package io.stylegan2.metrics;

/** Inception-v3 pool3 features (placeholder: the network is added in a following commit). */
public final class InceptionV3Features {
    /** The extractor name that makes a Frechet distance "FID" (pytorch-fid's FID-Inception weights and blocks). */
    public static final String FID_NAME = "inception-v3-fid";

    private InceptionV3Features() {}
}
