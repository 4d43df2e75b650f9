package io.stylegan2.inversion.sam;

import boofcv.alg.filter.blur.BlurImageOps;
import boofcv.struct.image.GrayF32;
import io.stylegan2.losses.lpips.Lpips;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Optional;

/**
 * Per-pixel reconstruction error maps, what SAM's invertibility network learns to predict.
 * <ul>
 *   <li>With real LPIPS weights: LPIPS's spatial map ({@code spatial=True}), the paper's target.
 *       Grey images are repeated to three channels.</li>
 *   <li>Without (the fallback, and what this machine can use, since no ImageNet trunk can be
 *       downloaded here): the <b>local root-mean-square error</b> in {@code [-1, 1]} units,
 *       {@code sqrt(box_r(mean_c (a - b)^2))}: the squared error averaged over channels, then over a
 *       {@code (2r+1) x (2r+1)} window (BoofCV's mean filter, normalised at the borders), then the
 *       square root. {@link #defaultRadius}: {@code max(1, R / 16)} (2 at 32 px, 16 at 256 px),
 *       about the receptive field of LPIPS's first layers relative to the image.</li>
 * </ul>
 * Like LPIPS, the RMSE map is 0 for a perfect reconstruction and of order 0.1 to 0.5 for visible
 * errors, so SAM's threshold keeps its rough meaning; the {@code tau} sweep calibrates it.
 *
 * <p><b>Thread safety:</b> Stateless; the LPIPS network serialises its own calls.
 */
public final class ErrorMaps {
    private ErrorMaps() {}

    /** The window radius of the RMSE map at resolution {@code r}. */
    public static int defaultRadius(int resolution) {
        return Math.max(1, resolution / 16);
    }

    /** What the maps are, for configs: the LPIPS name ({@code lpips-alex}) or {@code local-rmse-r<radius>}. */
    public static String describe(Optional<Lpips> lpips, int resolution) {
        return lpips.map(Lpips::name).orElse("local-rmse-r" + defaultRadius(resolution));
    }

    /** The error maps {@code [N, 1, H, W]} of reconstructions {@code a} against targets {@code b} ({@code [N, C, H, W]}). */
    public static INDArray of(Optional<Lpips> lpips, INDArray a, INDArray b) {
        return lpips.isPresent() ? lpips(lpips.get(), a, b) : localRmse(a, b, defaultRadius((int) a.size(2)));
    }

    /** LPIPS's spatial map {@code [N, 1, H, W]} (inputs in {@code [-1, 1]}; grey repeated to RGB). */
    public static INDArray lpips(Lpips lpips, INDArray a, INDArray b) {
        return lpips.spatialMap(rgb(a), rgb(b), false).castTo(DataType.FLOAT);
    }

    private static INDArray rgb(INDArray x) {
        if (x.size(1) == 3) return x.castTo(DataType.FLOAT);
        INDArray f = x.castTo(DataType.FLOAT);
        return Nd4j.concat(1, f, f, f).dup('c');
    }

    /** The local RMSE map {@code [N, 1, H, W]} with window radius {@code radius}. */
    public static INDArray localRmse(INDArray a, INDArray b, int radius) {
        if (!Arrays.equals(a.shape(), b.shape()) || a.rank() != 4)
            throw new IllegalArgumentException("error map: images must be [N, C, H, W] of one shape, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        if (radius < 0) throw new IllegalArgumentException("error map: radius must be >= 0, got " + radius);
        int n = (int) a.size(0), c = (int) a.size(1), h = (int) a.size(2), w = (int) a.size(3);
        INDArray d = a.castTo(DataType.FLOAT).sub(b.castTo(DataType.FLOAT));
        float[] sq = d.muli(d).mean(1).dup('c').data().asFloat();   // [N, H, W]
        float[] out = new float[n * h * w];
        GrayF32 in = new GrayF32(w, h), blurred = new GrayF32(w, h), storage = new GrayF32(w, h);
        for (int i = 0; i < n; i++) {
            System.arraycopy(sq, i * h * w, in.data, 0, h * w);
            if (radius > 0) BlurImageOps.mean(in, blurred, radius, storage, null);
            else blurred.setTo(in);
            for (int p = 0; p < h * w; p++) out[i * h * w + p] = (float) Math.sqrt(Math.max(0f, blurred.data[p]));
        }
        return Nd4j.create(out, new long[]{n, 1, h, w}, 'c');
    }
}
