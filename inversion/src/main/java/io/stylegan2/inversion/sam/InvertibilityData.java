package io.stylegan2.inversion.sam;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The invertibility network's training set: images and, per candidate space, the per-pixel error
 * map that space's single-space inversion left ({@link ErrorMaps}). Made by {@link #generate}: for
 * each chunk of images, a W+ optimisation from {@code w_avg} of {@code steps} (the initial code, as
 * SAM's inversion starts from one), then from that code, for each space, {@code steps} more of SAM's
 * joint inversion ({@link JointInversion}) with only that space free: W+ alone, or W+ and the offset
 * of one block free everywhere (mask 1). So every space gets the same budget, and the maps predict
 * what the joint inversion leaves where that space is chosen. A chunk of images runs in one graph.
 *
 * <p>Saved as {@code .safetensors} ({@value #FORMAT}); {@link #generate} writes the file after
 * every chunk and, given the file of an interrupted run, continues after its last chunk.
 *
 * <p><b>Thread safety:</b> Shallowly immutable (arrays not copied); safe to share unmodified.
 *
 * @param images   {@code [M, C, R, R]} in {@code [-1, 1]}
 * @param targets  {@code [M, S, R, R]} error maps, space order of {@code spaces}
 * @param spaces   the spaces' names, W+ first
 * @param errorMap the error-map kind ({@link ErrorMaps#describe})
 * @param steps    Adam steps of each single-space inversion
 */
public record InvertibilityData(INDArray images, INDArray targets, List<String> spaces, String errorMap, int steps) {
    private static final Logger log = LoggerFactory.getLogger(InvertibilityData.class);
    public static final String FORMAT = "stylegan2-invertibility-data/1";

    public InvertibilityData {
        spaces = List.copyOf(spaces);
        if (images.rank() != 4 || targets.rank() != 4 || images.size(0) != targets.size(0) || targets.size(1) != spaces.size()
                || images.size(2) != targets.size(2) || images.size(3) != targets.size(3))
            throw new IllegalArgumentException("invertibility data: images " + Arrays.toString(images.shape()) + " and targets " + Arrays.toString(targets.shape())
                    + " do not match (one map per space " + spaces + ")");
    }

    public int size() {
        return (int) images.size(0);
    }

    /** Images {@code [from, to)} with their targets. */
    public InvertibilityData slice(int from, int to) {
        return new InvertibilityData(images.get(NDArrayIndex.interval(from, to)).dup('c'), targets.get(NDArrayIndex.interval(from, to)).dup('c'), spaces, errorMap, steps);
    }

    /**
     * Runs the single-space inversions.
     *
     * @param images   {@code [M, C, R, R]} training images in {@code [-1, 1]}
     * @param lpips    LPIPS for the error maps (and the perceptual loss term), when real weights are at hand; else the RMSE fallback
     * @param settings the inversions' settings (steps per space)
     * @param chunk    images per graph
     * @param file     written after every chunk; when it holds the chunks of an interrupted run of the same images, they are kept
     */
    public static InvertibilityData generate(Generator g, INDArray images, Optional<Lpips> lpips, GaussianPrior prior, JointInversion.Settings settings,
                                             int chunk, Path file, Progress progress, CancellationToken cancel) throws IOException {
        CandidateSpaces spaces = CandidateSpaces.of(g.config());
        int m = (int) images.size(0), res = g.config().imgResolution(), s = spaces.count();
        if (chunk < 1) throw new IllegalArgumentException("invertibility data: chunk must be >= 1, got " + chunk);
        if (images.rank() != 4 || images.size(1) != g.config().imgChannels() || images.size(2) != res || images.size(3) != res)
            throw new IllegalArgumentException("invertibility data: images must be [M, " + g.config().imgChannels() + ", " + res + ", " + res + "], got " + Arrays.toString(images.shape()));
        String kind = ErrorMaps.describe(lpips, res);
        INDArray targets = Nd4j.zeros(DataType.FLOAT, m, s, res, res);
        int done = 0;
        if (file != null && Files.isRegularFile(file)) {
            InvertibilityData old = load(file);
            int keep = old.size();
            if (keep <= m && old.spaces().equals(spaces.names()) && old.errorMap().equals(kind) && old.steps() == settings.steps()
                    && old.images().equalsWithEps(images.get(NDArrayIndex.interval(0, keep)).castTo(DataType.FLOAT), 1e-6)) {
                targets.get(NDArrayIndex.interval(0, keep)).assign(old.targets());
                done = keep;
                log.info("invertibility data: continuing after {} of {} images in {}", keep, m, file);
            } else {
                throw new IllegalArgumentException(file + " holds single-space inversions of other images or settings; move it away or pick another output");
            }
        }
        Optional<PerceptualLoss> perceptual = lpips.map(l -> (PerceptualLoss) l);
        long total = (long) m * (s + 1) * settings.steps();
        Progress p = Progress.orNone(progress);
        p.start("single-space inversions", total);
        p.update((long) done * (s + 1) * settings.steps());
        try {
            for (int from = done; from < m; from += chunk) {
                int to = Math.min(m, from + chunk);
                INDArray x = images.get(NDArrayIndex.interval(from, to)).castTo(DataType.FLOAT).dup('c');
                long base = (long) from * (s + 1) * settings.steps();
                int n = to - from;
                INDArray init = Nd4j.concat(0, java.util.Collections.nCopies(n, WPlus.one(g.wAvg(), g.config(), "w_avg")).toArray(new INDArray[0]));
                JointInversion.Run w = JointInversion.run(g, x, init, Map.of(), perceptual, prior, settings, "W+ init " + from + "-" + to,
                        sub(p, base, n), cancel);
                for (int k = 0; k < s; k++) {
                    Map<String, INDArray> mask = Map.of();
                    if (k > 0) {
                        int r = SynthesisNetwork.resolutionOf(spaces.block(k));
                        mask = Map.of(spaces.block(k), Nd4j.ones(DataType.FLOAT, 1, 1, r, r));
                    }
                    JointInversion.Run f = JointInversion.run(g, x, w.ws(), mask, perceptual, prior, settings,
                            spaces.name(k) + " " + from + "-" + to, sub(p, base + (long) (k + 1) * n * settings.steps(), n), cancel);
                    put(targets, from, k, ErrorMaps.of(lpips, f.images(), x));
                }
                InvertibilityData partial = new InvertibilityData(images.get(NDArrayIndex.interval(0, to)).castTo(DataType.FLOAT).dup('c'),
                        targets.get(NDArrayIndex.interval(0, to)).dup('c'), spaces.names(), kind, settings.steps());
                if (file != null) partial.save(file);
                if (log.isInfoEnabled()) log.info("invertibility data: {} of {} images; mean error per space {}", to, m, Arrays.toString(partial.meanErrors()));
            }
        } finally {
            p.end();
        }
        return new InvertibilityData(images.castTo(DataType.FLOAT), targets, spaces.names(), kind, settings.steps());
    }

    /** Progress of one inversion of {@code n} images inside the whole run (each of its steps counts {@code n}). */
    private static Progress sub(Progress outer, long base, long n) {
        return new Progress() {
            @Override
            public void start(String task, long total) {}

            @Override
            public void update(long done, Map<String, Double> values) {
                outer.update(base + done * n, values);
            }

            @Override
            public void end() {}
        };
    }

    private static void put(INDArray targets, int from, int space, INDArray maps) {
        targets.get(NDArrayIndex.interval(from, from + maps.size(0)), NDArrayIndex.point(space)).assign(maps.reshape(maps.size(0), maps.size(2), maps.size(3)));
    }

    /** Mean target error per space. */
    public double[] meanErrors() {
        double[] out = new double[spaces.size()];
        for (int k = 0; k < out.length; k++) out[k] = targets.get(NDArrayIndex.all(), NDArrayIndex.point(k)).meanNumber().doubleValue();
        return out;
    }

    public void save(Path file) throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("images", images);
        t.put("targets", targets);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("spaces", String.join(",", spaces));
        meta.put("error_map", errorMap);
        meta.put("steps", Integer.toString(steps));
        AtomicFiles.write(file, out -> Safetensors.write(out, t, meta));
    }

    public static InvertibilityData load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new IllegalArgumentException(file + ": not invertibility training data (format '" + meta.get("format") + "', expected " + FORMAT + ")");
        INDArray images = c.tensors().get("images"), targets = c.tensors().get("targets");
        if (images == null || targets == null) throw new IllegalArgumentException(file + ": tensors 'images' and 'targets' expected, found " + c.tensors().keySet());
        try {
            return new InvertibilityData(images.castTo(DataType.FLOAT), targets.castTo(DataType.FLOAT), new ArrayList<>(Arrays.asList(meta.get("spaces").split(","))),
                    meta.get("error_map"), Integer.parseInt(meta.get("steps")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
