package io.stylegan2.inversion.encoder;

import io.stylegan2.core.ops.BicubicResize;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PadInv's padding branch (METHODS.md, "Padding branch"): the medium pyramid level through two
 * more IR-SE blocks, resized bicubically ({@code align_corners}) to {@code S = paddedUpTo + 2}
 * squared; per padded layer ({@code bR.conv1}, R = 4, 8, ..., paddedUpTo) a 1x1 head on the centre
 * {@code (R + 2)}-square crop gives its border map (only its one-pixel ring acts in the generator);
 * the centre 4x4 crop gives the constant input.
 *
 * <p>Two choices differ from the released code, both so that a fresh encoder draws exactly the
 * plain generator (as the W+ heads start at {@code w_avg}): the heads start at zero instead of
 * PyTorch's default initialisation, and the constant input is the generator's learned constant plus
 * a 1x1 head of the crop (zero at the start) instead of the crop itself, which also maps the
 * pyramid's width to the generator's 4x4 width. The medium level is 8x8 for a 32 px encoder (the
 * released 256 px encoder reads 32x32).
 */
final class PaddingBranch {
    private PaddingBranch() {}

    /** Border maps by layer and the constant input's offset. */
    record Maps(Map<String, SDVariable> padding, SDVariable constOffset) {}

    static void init(Map<String, INDArray> p, SplittableRandom rnd, EncoderConfig c) {
        int h = c.headChannels();
        IrSe.initBlock(p, rnd, "pad.b0", h, h);
        IrSe.initBlock(p, rnd, "pad.b1", h, h);
        List<Integer> ch = c.paddingChannels();
        for (int i = 0; i < ch.size(); i++) {
            p.put("pad.l" + i + ".w", Nd4j.zeros(DataType.FLOAT, 1, 1, h, ch.get(i)));
            p.put("pad.l" + i + ".b", Nd4j.zeros(DataType.FLOAT, ch.get(i)));
        }
        p.put("pad.const.w", Nd4j.zeros(DataType.FLOAT, 1, 1, h, ch.get(0)));
        p.put("pad.const.b", Nd4j.zeros(DataType.FLOAT, ch.get(0)));
    }

    /**
     * @param medium the medium pyramid level {@code [N, headChannels, 8, 8]}
     */
    static Maps build(EncoderConfig c, SDVariable medium, IrSe irse) {
        int h = c.headChannels(), m = 8, size = c.paddedUpTo() + 2;
        SDVariable x = irse.block(medium, "pad.b0", h, h, 1, m);
        x = irse.block(x, "pad.b1", h, h, 1, m);
        SDVariable big = BicubicResize.resize(x, h, m, size);
        Map<String, SDVariable> maps = new LinkedHashMap<>();
        List<String> layers = c.paddedLayers();
        for (int i = 0; i < layers.size(); i++) {
            int side = (4 << i) + 2;
            maps.put(layers.get(i), EncoderNetwork.conv(crop(big, size, side), irse.params(), "pad.l" + i, 1, 1));
        }
        SDVariable constOffset = EncoderNetwork.conv(crop(big, size, 4), irse.params(), "pad.const", 1, 1);
        return new Maps(maps, constOffset);
    }

    /** The centre {@code side x side} crop of {@code [N, C, size, size]}. */
    private static SDVariable crop(SDVariable x, int size, int side) {
        int off = (size - side) / 2;
        return x.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(off, off + side), SDIndex.interval(off, off + side));
    }
}
