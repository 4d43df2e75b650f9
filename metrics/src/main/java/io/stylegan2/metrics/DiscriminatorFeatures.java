package io.stylegan2.metrics;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * An offline {@link FeatureExtractor}: the penultimate activations ({@code b4.fc}, {@code [N, C4]})
 * of a StyleGAN2 discriminator. It needs no downloaded weights, so it works where Inception-v3
 * cannot be had; the resulting Frechet distance is reported as {@code FD-discriminator}, never as
 * FID, and is only comparable between runs that use the same discriminator.
 *
 * <p>Images are processed one at a time (minibatch-stddev group 1), so a feature does not depend
 * on its batch-mates. Inputs must be at the discriminator's resolution.
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (one at a time per instance); the
 * lazily built graph is guarded by the instance lock. Several instances may share one
 * {@link Discriminator}.
 */
public final class DiscriminatorFeatures implements FeatureExtractor {
    /** Extractor name. */
    public static final String NAME = "discriminator";

    private final Discriminator d;
    private SameDiff graph;

    public DiscriminatorFeatures(Discriminator d) {
        this.d = d;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int featureDim() {
        return d.config().channelsAt(4);
    }

    @Override
    public synchronized INDArray features(INDArray images) {
        long r = d.config().imgResolution();
        if (images.rank() != 4 || images.size(1) != d.config().imgChannels() || images.size(2) != r || images.size(3) != r)
            throw new IllegalArgumentException("discriminator features: images must be [N, " + d.config().imgChannels() + ", " + r + ", " + r + "], got "
                    + java.util.Arrays.toString(images.shape()));
        if (graph == null) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("img", d.params().dataType(), 1, d.config().imgChannels(), r, r);
            Map<String, SDVariable> acts = new HashMap<>();
            d.build(ParamBinding.frozen(sd, d.params(), ""), x, acts);
            acts.get("b4.fc").rename("features");
            graph = sd;
        }
        INDArray out = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, images.size(0), featureDim());
        for (long i = 0; i < images.size(0); i++) {
            INDArray one = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).castTo(d.params().dataType());
            out.putRow(i, graph.output(Map.of("img", one), "features").get("features").castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape(featureDim()));
        }
        return out;
    }
}
