package io.stylegan2.losses;

import io.stylegan2.core.engine.Engine;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pixel losses between two tensors of the same shape (typically images {@code [N, C, H, W]}; any
 * rank >= 1 with the batch first). Shapes may be dynamic (op outputs); no static shape is needed.
 * <ul>
 *   <li>{@link #mse}: {@code mean((x - y)^2)} over every element (torch {@code MSELoss(reduction='mean')}, as PTI's L2);</li>
 *   <li>{@link #l1}: {@code mean(|x - y|)} over every element;</li>
 *   <li>{@link #msePerImage} / {@link #l1PerImage}: the same means per sample, {@code [N]};</li>
 *   <li>{@link #l1Distance()}: the per-image L1 as a {@link PerceptualLoss}, a stand-in where no learned
 *       distance is at hand (tests, grayscale models).</li>
 * </ul>
 *
 * <p>Building a term installs the {@link Engine} on first use, as every op of the library does
 * (its stdout filter keeps SameDiff's "Added differentiated op" lines off {@code System.out}).
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread. The {@link #l1Distance()} loss is stateless too.
 */
public final class Pixelwise {
    private Pixelwise() {}

    /** {@code mean((x - y)^2)}, a scalar. */
    public static SDVariable mse(SDVariable x, SDVariable y) {
        Engine.get();
        SDVariable d = x.sub(y);
        return d.mul(d).mean();
    }

    /** {@code mean(|x - y|)}, a scalar. The gradient at {@code x == y} is 0 (sign(0)). */
    public static SDVariable l1(SDVariable x, SDVariable y) {
        Engine.get();
        return x.getSameDiff().math().abs(x.sub(y)).mean();
    }

    /** {@code mean_{c,h,w}((x - y)^2)} per sample: {@code [N]}. */
    public static SDVariable msePerImage(SDVariable x, SDVariable y) {
        Engine.get();
        SDVariable d = flatten(x.sub(y));
        return d.mul(d).mean(1);
    }

    /** {@code mean_{c,h,w}(|x - y|)} per sample: {@code [N]}. */
    public static SDVariable l1PerImage(SDVariable x, SDVariable y) {
        Engine.get();
        return x.getSameDiff().math().abs(flatten(x.sub(y))).mean(1);
    }

    /** {@code [N, ...] -> [N, prod(...)]} with the dynamic batch size. */
    static SDVariable flatten(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable n = sd.stridedSlice(sd.shape(x), new long[] {0}, new long[] {1}, new long[] {1});
        return sd.reshape(x, sd.concat(0, n, sd.constant(Nd4j.createFromArray(-1L))));
    }

    /** The per-image mean absolute difference as a {@link PerceptualLoss} named {@code l1} (not a learned distance). */
    public static PerceptualLoss l1Distance() {
        return new PerceptualLoss() {
            @Override
            public String name() {
                return "l1";
            }

            @Override
            public org.nd4j.linalg.api.ndarray.INDArray distance(org.nd4j.linalg.api.ndarray.INDArray x, org.nd4j.linalg.api.ndarray.INDArray y) {
                long n = x.size(0);
                return org.nd4j.linalg.ops.transforms.Transforms.abs(x.sub(y)).reshape(n, -1).mean(1);
            }

            @Override
            public SDVariable distance(SDVariable x, SDVariable y, int height, int width) {
                return l1PerImage(x, y);
            }
        };
    }
}
