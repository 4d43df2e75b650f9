package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The depthwise convolution of {@link Upfirdn2d}'s fast path with a constant FIR kernel: the stock
 * forward, and for stride 1 a backward that computes only the input gradient, as one depthwise
 * convolution of the output gradient with the flipped kernel (padding {@code k - 1 - p}). The stock
 * {@code depthwise_conv2d_bp} also computes the kernel's gradient, which nothing needs (the kernel
 * is a constant), at about half its cost. The kernel's gradient is a scalar zero constant
 * ({@link OpProperties#constantsGradient}). Stride &gt; 1 keeps the stock backward. Registered by the {@link Engine} so it survives SameDiff's op copies;
 * depthwise convolutions not made by {@link #of} behave exactly as the stock op. Tested through
 * {@code Upfirdn2dTest} (gradient checks and the naive loops).
 *
 * <p><b>Thread safety:</b> Not thread-safe, like every SameDiff op: an instance is mutable and
 * belongs to one graph, which is built from one thread.
 */
public final class FirDepthwiseConv extends DepthwiseConv2D {
    private static final String FIR = "stylegan2FirKernel";
    private boolean fir;

    /** For SameDiff's re-creation of ops (the property restores the flag, if set). */
    public FirDepthwiseConv() {}

    private FirDepthwiseConv(SameDiff sd, SDVariable x, SDVariable kernel, Conv2DConfig cfg) {
        super(sd, new SDVariable[] {x, kernel}, cfg);
        this.fir = true;
    }

    /** Depthwise correlation of {@code x [N, C, H, W]} with the constant {@code kernel [kH, kW, C, 1]}. */
    static SDVariable of(SDVariable x, SDVariable kernel, Conv2DConfig cfg) {
        if (!Engine.get().patches().firDepthwiseConv()) return x.getSameDiff().cnn().depthWiseConv2d(x, kernel, cfg);
        return new FirDepthwiseConv(x.getSameDiff(), x, kernel, cfg).outputVariable();
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return OpProperties.withProperty(super.propertiesForFunction(), FIR, fir ? 1L : null);
    }

    /**
     * Restores only the flag: the stock class sets its config from the properties through a field
     * table that has no entry for a subclass (each property logged a warning); {@link #doDiff}
     * rebuilds the config from the integer arguments.
     */
    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        if (properties != null && properties.containsKey(FIR)) fir = true;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grads) {
        // the config object is not restored when SameDiff re-creates the op; the integer arguments are:
        // kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0 = VALID), NHWC (0 = NCHW)
        long[] i = iArgs();
        if (config == null && i != null && i.length >= 10) // the stock backward needs it
            config = Conv2DConfig.builder().kH(i[0]).kW(i[1]).sH(i[2]).sW(i[3]).pH(i[4]).pW(i[5]).dH(i[6]).dW(i[7])
                    .paddingMode(PaddingMode.fromNumber((int) i[8])).dataFormat(i[9] == 0 ? "NCHW" : "NHWC").build();
        if (!fir || i == null || i.length < 10 || i[2] != 1 || i[3] != 1 || i[6] != 1 || i[7] != 1 || i[8] != 0 || i[9] != 0
                || i[4] > i[0] - 1 || i[5] > i[1] - 1)
            return super.doDiff(grads);
        SameDiff sd = sameDiff;
        SDVariable kernel = arg(1);
        Conv2DConfig back = Conv2DConfig.builder()
                .kH(i[0]).kW(i[1]).sH(1).sW(1).dH(1).dW(1)
                .pH(i[0] - 1 - i[4]).pW(i[1] - 1 - i[5])
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        // flipped once at build time (the kernel is a constant): an op on constants run every step kept
        // its output alive (resident size crept by ~60 KB per inversion step)
        SDVariable flipped = Fold.ifConstant(kernel, v -> v.getSameDiff().reverse(v, 0, 1));
        SDVariable dx = sd.cnn().depthWiseConv2d(grads.get(0), flipped, back);
        return Arrays.asList(dx, OpProperties.constantsGradient(sd, kernel));
    }
}
