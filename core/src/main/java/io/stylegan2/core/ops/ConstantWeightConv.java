package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.ConvBackward;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Convolutions whose backward computes only the input gradient when the weight is a graph
 * constant: frozen networks (LPIPS's VGG, the generator in latent optimisation, where
 * {@link Fold} has made the weight transforms constants). The stock {@code conv2d_bp} /
 * {@code deconv2d_bp} always compute the weight gradient as well, about half of their cost, which
 * SameDiff then throws away for a constant.
 *
 * <ul>
 *   <li>{@link Conv}: the gradient of a stride-1 correlation {@code conv2d(x, w, pad p)} is the
 *       transposed convolution {@code deconv2d(g, w, stride 1, pad p)} (ND4J's {@code deconv2d}
 *       weight layout {@code [kH, kW, outC, inC]} read for the adjoint is exactly the forward
 *       weight {@code [kH, kW, inC, outC]}); its size {@code H' + k - 1 - 2p} is H.</li>
 *   <li>{@link Deconv}: the gradient of {@code deconv2d(x, w, stride s, pad p)} is
 *       {@code conv2d(g, w, stride s, pad p)}, whose size {@code ((H-1)s + k - 2p + 2p - k)/s + 1} is H.</li>
 * </ul>
 * Anything else (a trainable or computed weight, a bias input, stride &gt; 1 for {@link Conv},
 * dilation, SAME mode, NHWC) keeps the stock backward. The ops are built by {@link #conv2d} and
 * {@link #deconv2d}, marked with an op property and registered by the {@link Engine} so they
 * survive SameDiff's op copies; convolutions made elsewhere behave exactly as the stock ops.
 * The engine setting {@code convBackward=stock} ({@link io.stylegan2.core.engine.EngineOptions#convBackward()})
 * builds the stock ops instead.
 * Tested equal to the stock backward (float64 gradients, every case above).
 *
 * <p><b>Thread safety:</b> The static methods are stateless; a SameDiff instance itself is not
 * thread-safe, so build one graph from one thread. The op instances ({@link Conv}, {@link Deconv})
 * are mutable and belong to one graph; they are not thread-safe.
 */
public final class ConstantWeightConv {
    private static final String MARK = "stylegan2InputGradOnly";

    private ConstantWeightConv() {}

    /** Whether convolutions built now (on this thread) get the input-only backward. */
    private static boolean active() {
        return Engine.current().convBackward() == ConvBackward.AUTO && Engine.get().patches().constantWeightConv();
    }

    /** A {@code conv2d} of {@code x} and {@code w} (no bias) with the constant-weight backward. */
    static SDVariable conv2d(SDVariable x, SDVariable w, Conv2DConfig cfg) {
        if (!active()) return x.getSameDiff().cnn().conv2d(x, w, cfg);
        return new Conv(x.getSameDiff(), x, w, cfg).outputVariable();
    }

    /** A {@code deconv2d} of {@code x} and {@code w} (no bias) with the constant-weight backward. */
    static SDVariable deconv2d(SDVariable x, SDVariable w, DeConv2DConfig cfg) {
        if (!active()) return x.getSameDiff().cnn().deconv2d(x, w, cfg);
        return new Deconv(x.getSameDiff(), x, w, cfg).outputVariable();
    }

    /**
     * The integer arguments {@code kH, kW, sH, sW, pH, pW, dH, dW, mode, NHWC[, weight format]} if
     * the op qualifies: marked, two inputs, a constant weight, dilation 1, mode 0 (VALID /
     * not SAME), NCHW, default weight layout, padding below the kernel size; else null.
     */
    private static long[] qualifying(boolean marked, SDVariable[] args, long[] i) {
        if (!marked || args.length != 2 || args[1].getVariableType() != VariableType.CONSTANT) return null;
        if (i == null || i.length < 10 || i[6] != 1 || i[7] != 1 || i[8] != 0 || i[9] != 0 || (i.length > 10 && i[10] != 0)) return null;
        if (i[4] > i[0] - 1 || i[5] > i[1] - 1) return null;
        return i;
    }

    private static Map<String, Object> mark(Map<String, Object> properties, boolean marked) {
        return OpProperties.withProperty(properties, MARK, marked ? 1L : null);
    }

    private static boolean isMarked(Map<String, Object> properties) {
        return properties != null && properties.containsKey(MARK);
    }

    /** {@code conv2d} with the input-only backward for a constant weight and stride 1. */
    public static final class Conv extends Conv2D {
        private boolean marked;

        /** For SameDiff's re-creation of ops (the property restores the mark). */
        public Conv() {}

        Conv(SameDiff sd, SDVariable x, SDVariable w, Conv2DConfig cfg) {
            super(sd, new SDVariable[] {x, w}, cfg);
            marked = true;
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            return mark(super.propertiesForFunction(), marked);
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            marked |= isMarked(properties);
            super.setPropertiesForFunction(OpProperties.withoutProperty(properties, MARK));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            long[] i = qualifying(marked, args(), iArgs());
            if (i == null || i[2] != 1 || i[3] != 1) return super.doDiff(grads);
            DeConv2DConfig back = DeConv2DConfig.builder().kH(i[0]).kW(i[1]).sH(1).sW(1).pH(i[4]).pW(i[5]).dH(1).dW(1)
                    .isSameMode(false).dataFormat("NCHW").build();
            SDVariable w = arg(1);
            return Arrays.asList(sameDiff.cnn().deconv2d(grads.get(0), w, back), OpProperties.constantsGradient(sameDiff, w));
        }
    }

    /** {@code deconv2d} with the input-only backward for a constant weight. */
    public static final class Deconv extends DeConv2D {
        private boolean marked;

        /** For SameDiff's re-creation of ops (the property restores the mark). */
        public Deconv() {}

        Deconv(SameDiff sd, SDVariable x, SDVariable w, DeConv2DConfig cfg) {
            super(sd, new SDVariable[] {x, w}, cfg);
            marked = true;
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            return mark(super.propertiesForFunction(), marked);
        }

        /**
         * Restores only the mark: the stock class sets its config from the properties through a
         * field table that has no entry for a subclass (each property would log a warning), and
         * nothing needs the config but the stock backward, which gets it from the integer
         * arguments in {@link #doDiff}.
         */
        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            marked |= isMarked(properties);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            long[] i = qualifying(marked, args(), iArgs());
            if (i == null) {
                // a re-created op has no config object (SameDiff restores the properties of the
                // class's own fields only), and the stock backward reads it; the integer arguments
                // are kH, kW, sH, sW, pH, pW, dH, dW, SAME mode, NHWC
                long[] a = iArgs();
                if (config == null && a != null && a.length >= 10)
                    config = DeConv2DConfig.builder().kH(a[0]).kW(a[1]).sH(a[2]).sW(a[3]).pH(a[4]).pW(a[5]).dH(a[6]).dW(a[7])
                            .isSameMode(a[8] == 1).dataFormat(a[9] == 1 ? "NHWC" : "NCHW").build();
                return super.doDiff(grads);
            }
            Conv2DConfig back = Conv2DConfig.builder().kH(i[0]).kW(i[1]).sH(i[2]).sW(i[3]).pH(i[4]).pW(i[5]).dH(1).dW(1)
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
            SDVariable w = arg(1);
            return Arrays.asList(sameDiff.cnn().conv2d(grads.get(0), w, back), OpProperties.constantsGradient(sameDiff, w));
        }
    }
}
