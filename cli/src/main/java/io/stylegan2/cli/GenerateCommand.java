package io.stylegan2.cli;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.MappingNetwork;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code generate}: images from seeds (NVlabs {@code generate.py} latents), a z file or a w file.
 * Writes {@code seedNNNN.png} per seed (or {@code imgNNNN.png} per row of {@code --z}/{@code --w}),
 * {@code grid.png}, and with {@code --save-npy} the raw float32 image {@code [C, H, W]} as
 * {@code .npy} next to each PNG.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images from seeds, z vectors or w vectors.")
final class GenerateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    static final class Inputs {
        @Option(names = "--seeds", paramLabel = "LIST", converter = Cli.SeedListConverter.class,
                description = "seeds, e.g. 1-8 or 1,3,5-7 (z = numpy RandomState(seed).randn(1, z_dim))")
        Cli.SeedList seeds;
        @Option(names = "--z", paramLabel = "FILE.npy", description = "latents z [N, z_dim]")
        Path z;
        @Option(names = "--w", paramLabel = "FILE", description = {"latents: .npy [N, w_dim] (w) or [N, num_ws, w_dim] (W+); one W+ code "
                + "[num_ws, w_dim] (invert's latent.npy, --save-w's files) is one image; NVIDIA's projected_w.npz (its 'w' entry); "
                + "an inversion result (result.safetensors or its invert folder). Truncation is not applied"})
        Path w;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs inputs;

    @Option(names = "--truncation", defaultValue = "1", paramLabel = "PSI", description = "truncation psi (default: ${DEFAULT-VALUE})")
    double truncation;

    @Option(names = "--truncation-cutoff", paramLabel = "N", description = "truncate only the first N ws (default: all)")
    Integer truncationCutoff;

    @Mixin NoiseOptions noise;

    @Option(names = "--batch", defaultValue = "4", description = "images per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--grid-cols", paramLabel = "N", description = "columns of grid.png (default: ceil(sqrt(count)))")
    Integer gridCols;

    @Mixin OutputOption output;

    @Option(names = "--grid-gutter", defaultValue = "2", paramLabel = "PX", description = "white pixels between the cells of grid.png, 0 for NVlabs' seamless grid (default: ${DEFAULT-VALUE})")
    int gridGutter;

    @Option(names = "--save-w", description = "also write each image's W+ code [num_ws, w_dim] as NAME_w.npy (after truncation; --w reads it back as one image)")
    boolean saveW;

    @Option(names = "--save-npy", description = "also write each raw float32 image [C, H, W] as .npy")
    boolean saveNpy;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) throw Cli.usage(spec, "--batch must be >= 1, got " + batch);
        if (!Double.isFinite(truncation) || Math.abs(truncation) > MappingNetwork.MAX_ABS_PSI)
            throw Cli.usage(spec, "--truncation must be finite and within [-" + MappingNetwork.MAX_ABS_PSI + ", " + MappingNetwork.MAX_ABS_PSI + "], got " + truncation);
        if (truncationCutoff != null && truncationCutoff < 0) throw Cli.usage(spec, "--truncation-cutoff must be >= 0, got " + truncationCutoff);
        if (gridCols != null && gridCols < 1) throw Cli.usage(spec, "--grid-cols must be >= 1, got " + gridCols);
        if (gridGutter < 0) throw Cli.usage(spec, "--grid-gutter must be >= 0, got " + gridGutter);
        model.check();
        if (inputs.z != null) Cli.requireReadableFile(spec, inputs.z, "--z");
        if (inputs.w != null) Cli.requireReadableFile(spec, inputs.w, "--w");
        boolean existed = Files.exists(output.check());
        Path out = output.create();
        try {
            return generate(out);
        } catch (Exception | Error e) {
            if (!existed) removeIfEmpty(out);   // a failed run leaves no empty folder behind
            throw e;
        }
    }

    /** Most images drawn into {@code grid.png} (the first ones). */
    static final int GRID_MAX = 256;

    private static void removeIfEmpty(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isEmpty()) Files.delete(dir);
        } catch (IOException ignored) {
            // best effort: the error being reported matters more
        }
    }

    private Integer generate(Path out) throws Exception {
        NoiseMode noiseMode = noise.modeOr(NoiseMode.CONST);

        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            GeneratorConfig cfg = g.config();
            if (truncationCutoff != null && truncationCutoff > cfg.numWs())
                throw Cli.usage(spec, "--truncation-cutoff " + truncationCutoff + " exceeds num_ws " + cfg.numWs());

            // latents are made per batch: a seed range of millions never builds its z matrix at once
            int n;
            boolean isW;
            java.util.function.IntFunction<String> name;
            java.util.function.BiFunction<Integer, Integer, INDArray> latentRows;   // [b1 - b0, zDim] or [b1 - b0, numWs, wDim]
            if (inputs.seeds != null) {
                long[] seeds = inputs.seeds.seeds();
                n = seeds.length;
                isW = false;
                name = i -> String.format("seed%04d", seeds[i]);
                latentRows = (b0, b1) -> Seeds.z(Arrays.copyOfRange(seeds, b0, b1), cfg.zDim());
            } else {
                INDArray latents = inputs.z != null ? checkZ(Npy.read(inputs.z), cfg) : readW(inputs.w, cfg, stdout);
                n = (int) latents.size(0);
                isW = inputs.z == null;
                name = i -> String.format("img%04d", i);
                latentRows = (b0, b1) -> rows(latents, b0, b1);
            }

            Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
            List<INDArray> gridImages = new ArrayList<>();
            bar.start("generate", n);
            try {
                for (int b0 = 0, bi = 0; b0 < n; b0 += batch, bi++) {
                    int b1 = Math.min(n, b0 + batch);
                    INDArray chunk = latentRows.apply(b0, b1);
                    INDArray ws = isW ? chunk : (truncationCutoff == null ? g.mapping(chunk, truncation) : g.mapping(chunk, truncation, truncationCutoff));
                    INDArray imgs = g.synthesis(ws, noiseMode, noise.seed + bi);
                    checkImages(imgs, b1 - b0, cfg);
                    for (int i = b0; i < b1; i++) {
                        INDArray img = imgs.get(NDArrayIndex.point(i - b0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
                                .castTo(DataType.FLOAT).dup('c');
                        Images.writePng(img, out.resolve(name.apply(i) + ".png"));
                        if (saveNpy) Npy.writeFloat32(out.resolve(name.apply(i) + ".npy"), img);
                        if (saveW) Npy.writeFloat32(out.resolve(name.apply(i) + "_w.npy"), ws.get(NDArrayIndex.point(i - b0), NDArrayIndex.all(), NDArrayIndex.all()).castTo(DataType.FLOAT).dup('c'));
                        if (gridImages.size() < GRID_MAX) gridImages.add(img);
                    }
                    bar.update(b1, Map.of());
                    MemoryPolicy.step();
                }
            } finally {
                bar.end();
            }
            INDArray stack = Nd4j.stack(0, gridImages.toArray(new INDArray[0]));
            int cols = gridCols != null ? gridCols : Images.defaultGridColumns(gridImages.size());
            Images.writeGridPng(stack, cols, gridGutter, out.resolve("grid.png"));
            stdout.println("wrote " + n + " image" + (n == 1 ? "" : "s") + " and grid.png" + (n > GRID_MAX ? " (the first " + GRID_MAX + ")" : "") + " to " + out);
            stdout.flush();
        }
        return 0;
    }

    /** The {@code --w} file as a batch of W+ codes ({@link LatentFiles}); a bad file is a usage error naming it. */
    private INDArray readW(Path file, GeneratorConfig cfg, PrintWriter stdout) throws IOException {
        try {
            return LatentFiles.read(file, cfg, stdout::println);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--w " + e.getMessage());
        }
    }

    private INDArray checkZ(INDArray z, GeneratorConfig cfg) {
        if (z.rank() != 2 || z.size(1) != cfg.zDim() || z.size(0) < 1)
            throw Cli.usage(spec, "--z " + inputs.z + ": expected shape [N, z_dim=" + cfg.zDim() + "], got " + Arrays.toString(z.shape()));
        requireFinite(z, "--z " + inputs.z);
        return z.castTo(DataType.FLOAT);
    }

    /** A usage error naming the file when a latent holds NaN or infinity ({@link LatentFiles#requireFinite}). */
    private void requireFinite(INDArray a, String what) {
        try {
            LatentFiles.requireFinite(a, what);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    private static void checkImages(INDArray imgs, int n, GeneratorConfig cfg) {
        long[] expected = {n, cfg.imgChannels(), cfg.imgResolution(), cfg.imgResolution()};
        if (!Arrays.equals(imgs.shape(), expected))
            throw new IllegalStateException("synthesis returned shape " + Arrays.toString(imgs.shape()) + ", expected " + Arrays.toString(expected));
    }

    private static INDArray rows(INDArray a, int from, int to) {
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(from, to);
        for (int i = 1; i < idx.length; i++) idx[i] = NDArrayIndex.all();
        return a.get(idx).dup('c');
    }

}
