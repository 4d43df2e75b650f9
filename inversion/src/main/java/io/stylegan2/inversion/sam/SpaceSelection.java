package io.stylegan2.inversion.sam;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SAM's per-segment choice of latent space. Each predicted error map is averaged over each
 * segment; the spaces are scanned from the latest block back to W+ and the segment takes the
 * <em>earliest</em> (most editable) space whose mean is at most {@code tau}; when none is, the latest
 * (most faithful) one. So {@code tau >= } every prediction gives pure W+, and {@code tau < 0} the
 * deepest space everywhere.
 *
 * <p>Each feature space's binary mask (its segments' pixels) is resized to its block's resolution
 * by <b>area averaging</b> (each block pixel is the mean of the image pixels it covers; output sizes
 * are powers of two, so the windows tile exactly). The paper resizes with Lanczos and clips to
 * {@code [0, max]}; area averaging gives the same soft edges without Lanczos's ringing, and its
 * values stay in {@code [0, 1]}.
 *
 * <p><b>Thread safety:</b> Immutable (arrays copied in and out); safe to share.
 *
 * @param spaces        the candidate spaces
 * @param tau           the threshold
 * @param segments      the segmentation
 * @param segmentMeans  {@code [segment][space]} mean predicted error
 * @param segmentSpace  the chosen space per segment
 */
public record SpaceSelection(CandidateSpaces spaces, double tau, Segmentation segments, double[][] segmentMeans, int[] segmentSpace) {
    /** SAM's default threshold. */
    public static final double DEFAULT_TAU = 0.225;

    public SpaceSelection {
        if (!Double.isFinite(tau)) throw new IllegalArgumentException("SAM: tau must be finite, got " + tau);
        segmentMeans = Arrays.stream(segmentMeans).map(double[]::clone).toArray(double[][]::new);
        segmentSpace = segmentSpace.clone();
        if (segmentSpace.length != segments.count()) throw new IllegalArgumentException("SAM: " + segmentSpace.length + " choices for " + segments.count() + " segments");
    }

    /**
     * @param predicted the invertibility network's maps {@code [1, S, H, W]} (S = {@code spaces.count()})
     */
    public static SpaceSelection select(CandidateSpaces spaces, INDArray predicted, Segmentation seg, double tau) {
        int s = spaces.count(), h = seg.height(), w = seg.width();
        long[] want = {1, s, h, w};
        if (!Arrays.equals(predicted.shape(), want))
            throw new IllegalArgumentException("SAM: predicted maps must be " + Arrays.toString(want) + " (one per space " + spaces.names() + "), got " + Arrays.toString(predicted.shape()));
        float[] p = predicted.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double[][] means = new double[seg.count()][s];
        for (int k = 0; k < s; k++) {
            double[] m = seg.segmentMeans(Arrays.copyOfRange(p, k * h * w, (k + 1) * h * w));
            for (int j = 0; j < seg.count(); j++) means[j][k] = m[j];
        }
        int[] choice = new int[seg.count()];
        for (int j = 0; j < seg.count(); j++) {
            int c = s - 1;                          // fall back to the latest
            for (int k = s - 1; k >= 0; k--) if (means[j][k] <= tau) c = k;   // keep the earliest that passes
            choice[j] = c;
        }
        return new SpaceSelection(spaces, tau, seg, means, choice);
    }

    /** One space for every pixel (a single-space inversion). */
    public static SpaceSelection forced(CandidateSpaces spaces, Segmentation seg, int space) {
        spaces.name(space);
        int[] c = new int[seg.count()];
        Arrays.fill(c, space);
        return new SpaceSelection(spaces, 0, seg, new double[seg.count()][spaces.count()], c);
    }

    /** The chosen space of every pixel, row-major. */
    public int[] pixelSpaces() {
        int[] l = segments.labels(), out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = segmentSpace[l[i]];
        return out;
    }

    /** The chosen space per pixel as {@code [1, 1, H, W]} float32 (0 = W+). */
    public INDArray choiceMap() {
        int[] c = pixelSpaces();
        float[] f = new float[c.length];
        for (int i = 0; i < c.length; i++) f[i] = c[i];
        return Nd4j.create(f, new long[]{1, 1, segments.height(), segments.width()}, 'c');
    }

    /** Display colours of the spaces, W+ first (blue, yellow, red, green, purple, cyan), for figures. */
    public static final int[] SPACE_COLOURS = {0x3060D0, 0xF0B030, 0xD03030, 0x30A030, 0x9040C0, 0x30C0C0};

    /** A chosen-space map ({@link #choiceMap()}, {@code [1, 1, H, W]}) as an RGB image {@code [1, 3, H, W]} in {@code [-1, 1]} ({@link #SPACE_COLOURS}). */
    public static INDArray colourChoice(INDArray choice) {
        int h = (int) choice.size(2), w = (int) choice.size(3);
        float[] c = choice.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] rgb = new float[3 * h * w];
        for (int i = 0; i < h * w; i++) {
            int col = SPACE_COLOURS[Math.round(c[i]) % SPACE_COLOURS.length];
            for (int k = 0; k < 3; k++) rgb[k * h * w + i] = ((col >> (16 - 8 * k)) & 0xFF) / 127.5f - 1f;
        }
        return Nd4j.create(rgb, new long[]{1, 3, h, w}, 'c');
    }

    /** The legend of {@link #colourChoice} for these spaces, e.g. {@code blue W+, yellow b8, red b16}. */
    public static String legend(CandidateSpaces spaces) {
        String[] names = {"blue", "yellow", "red", "green", "purple", "cyan"};
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < spaces.count(); k++) b.append(k == 0 ? "" : ", ").append(names[k % names.length]).append(' ').append(spaces.name(k));
        return b.toString();
    }

    /** Share of the pixels in each space. */
    public double[] fractions() {
        double[] f = new double[spaces.count()];
        int[] c = pixelSpaces();
        for (int x : c) f[x] += 1.0 / c.length;
        return f;
    }

    /** The masks of the feature spaces that have pixels, by block, {@code [1, 1, r, r]} area-resized. */
    public Map<String, INDArray> masks() {
        int[] c = pixelSpaces();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int k = 1; k < spaces.count(); k++) {
            float[] m = new float[c.length];
            boolean any = false;
            for (int i = 0; i < c.length; i++) if (c[i] == k) {
                m[i] = 1;
                any = true;
            }
            if (any) {
                String b = spaces.block(k);
                out.put(b, areaResize(m, segments.height(), segments.width(), io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(b)));
            }
        }
        return out;
    }

    /**
     * The masks of several images' selections as one batch, for {@link JointInversion#run}: every
     * block any image uses, {@code [N, 1, r, r]}, zero where an image does not use it.
     */
    public static Map<String, INDArray> batchMasks(java.util.List<SpaceSelection> selections) {
        java.util.List<Map<String, INDArray>> each = selections.stream().map(SpaceSelection::masks).toList();
        java.util.Set<String> blocks = new java.util.TreeSet<>(java.util.Comparator.comparingInt(io.stylegan2.stylegan.SynthesisNetwork::resolutionOf));
        each.forEach(m -> blocks.addAll(m.keySet()));
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String b : blocks) {
            int r = io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(b);
            INDArray[] parts = each.stream().map(m -> m.getOrDefault(b, Nd4j.zeros(DataType.FLOAT, 1, 1, r, r))).toArray(INDArray[]::new);
            out.put(b, Nd4j.concat(0, parts));
        }
        return out;
    }

    /** Area-averaging resize of a {@code h x w} map to {@code r x r} ({@code h} and {@code w} multiples of {@code r}), {@code [1, 1, r, r]}. */
    public static INDArray areaResize(float[] map, int h, int w, int r) {
        if (h % r != 0 || w % r != 0) throw new IllegalArgumentException("area resize: " + h + "x" + w + " is not a multiple of " + r);
        int fy = h / r, fx = w / r;
        float[] out = new float[r * r];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) out[(y / fy) * r + x / fx] += map[y * w + x];
        for (int i = 0; i < out.length; i++) out[i] /= fy * fx;
        return Nd4j.create(out, new long[]{1, 1, r, r}, 'c');
    }
}
