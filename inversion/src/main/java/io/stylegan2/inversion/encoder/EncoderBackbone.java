package io.stylegan2.inversion.encoder;

/**
 * The blocks of an encoder's backbone.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum EncoderBackbone {
    /** Plain residual blocks (two 3x3 convs, leaky ReLU 0.2, no normalisation): the small default. */
    RESIDUAL,
    /**
     * pSp's and PadInv's IR-SE bottlenecks (Deng et al.'s IResNet with squeeze-excitation):
     * {@code BN -> conv3x3 -> PReLU -> conv3x3 (stride) -> BN -> SE}, plus a shortcut (subsampling,
     * or a strided 1x1 conv + BN when the width changes); the stem is {@code conv3x3 -> BN -> PReLU}.
     * BatchNorm uses batch statistics in training and running statistics (momentum 0.1, as PyTorch)
     * in inference.
     */
    IR_SE
}
