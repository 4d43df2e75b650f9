package io.stylegan2.cli;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.Interpolation;
import io.stylegan2.stylegan.MappingNetwork;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code interpolate}: a morph through key latents (seeds, w / W+ files, inversion results), in Z
 * ({@link Interpolation#slerp}, seeds only) or W / W+ ({@link Interpolation#lerp}). Writes
 * {@code frames/frame_NNNNN.png} at the model's resolution, and {@code interpolation.gif} /
 * {@code interpolation.mp4} ({@link Animation}) upscaled nearest to {@code --size}. Every frame uses
 * the same noise, so only the latent moves.
 */
@Command(name = "interpolate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Interpolate between seeds, w files or inversion results (Z: slerp, W/W+: lerp); PNG frames, GIF and MP4.")
final class InterpolateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    static final class Keys {
        @Option(names = "--seeds", paramLabel = "LIST", converter = Cli.SeedListConverter.class,
                description = "key seeds in order, e.g. 1,5,9 (z = numpy RandomState(seed).randn(1, z_dim))")
        Cli.SeedList seeds;
        @Option(names = "--w", paramLabel = "FILE", arity = "1..*",
                description = "key latents in order: w / W+ .npy, projected_w.npz, result.safetensors or invert folders (each file's latents in turn)")
        List<Path> w;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Keys keys;

    @Option(names = "--space", defaultValue = "W", paramLabel = "z|w", converter = SpaceConverter.class,
            description = "z: slerp between the seeds' z, then map (seeds only); w: lerp between the w / W+ codes (default: w)")
    Interpolation.Space space;

    @Option(names = "--frames", defaultValue = "30", paramLabel = "N", description = "frames from one key to the next (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--loop", description = "go back from the last key to the first (a seamless loop)")
    boolean loop;

    @Option(names = "--fps", defaultValue = "24", paramLabel = "N", description = "frames per second of the GIF and MP4 (default: ${DEFAULT-VALUE})")
    int fps;

    @Option(names = "--video", defaultValue = "gif,mp4", split = ",", paramLabel = "FORMATS",
            description = "animations to write: gif, mp4, both (default), or none for the PNG frames only")
    List<String> video;

    @Option(names = "--size", defaultValue = "256", paramLabel = "PX", description = "least side of the animation frames, upscaled nearest (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--truncation", defaultValue = "1", paramLabel = "PSI", description = "truncation psi of seeds (default: ${DEFAULT-VALUE})")
    double truncation;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "frames per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Mixin NoiseOptions noise;

    @Mixin OutputOption output;

    /** Most frames one run writes. */
    static final int MAX_FRAMES = 100_000;

    static final class SpaceConverter implements picocli.CommandLine.ITypeConverter<Interpolation.Space> {
        @Override
        public Interpolation.Space convert(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "z" -> Interpolation.Space.Z;
                case "w", "w+", "wplus" -> Interpolation.Space.W;
                default -> throw new picocli.CommandLine.TypeConversionException("expected z or w, got '" + s + "'");
            };
        }
    }

    @Override
    public Integer call() throws Exception {
        if (frames < 1) throw Cli.usage(spec, "--frames must be >= 1, got " + frames);
        if (fps < 1 || fps > 120) throw Cli.usage(spec, "--fps must be in [1, 120], got " + fps);
        if (size < 1 || size > 4096) throw Cli.usage(spec, "--size must be in [1, 4096], got " + size);
        if (batch < 1) throw Cli.usage(spec, "--batch must be >= 1, got " + batch);
        if (!Double.isFinite(truncation) || Math.abs(truncation) > MappingNetwork.MAX_ABS_PSI)
            throw Cli.usage(spec, "--truncation must be finite and within [-" + MappingNetwork.MAX_ABS_PSI + ", " + MappingNetwork.MAX_ABS_PSI + "], got " + truncation);
        if (space == Interpolation.Space.Z && keys.seeds == null) throw Cli.usage(spec, "--space z needs --seeds (files hold w / W+ codes; use --space w)");
        List<Animation.Format> formats = formats();
        model.check();
        if (keys.w != null) for (Path f : keys.w) if (!Files.isDirectory(f)) Cli.requireReadableFile(spec, f, "--w");
        Path out = output.check();
        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            GeneratorConfig cfg = g.config();
            List<INDArray> keyLatents = keyLatents(g, cfg, stdout);   // z [z_dim] or W+ [num_ws, w_dim]
            if (keyLatents.size() < 2) throw Cli.usage(spec, "interpolation needs at least two keys, got " + keyLatents.size());
            if (loop) keyLatents.add(keyLatents.get(0));
            int segments = keyLatents.size() - 1;
            long total = (long) segments * frames + (loop ? 0 : 1);
            if (total > MAX_FRAMES) throw Cli.usage(spec, total + " frames exceed the limit of " + MAX_FRAMES + "; lower --frames or the number of keys");
            Path frameDir = Files.createDirectories(out.resolve("frames"));
            NoiseMode mode = noise.modeOr(NoiseMode.CONST);
            Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
            try (Animation anim = formats.isEmpty() ? null : Animation.open(out, formats, fps)) {
                bar.start("interpolate", total);
                try {
                    List<INDArray> pending = new ArrayList<>();
                    int written = 0;
                    for (long i = 0; i < total; i++) {
                        int seg = (int) Math.min(i / frames, segments - 1);
                        double t = (i - (long) seg * frames) / (double) frames;
                        INDArray a = keyLatents.get(seg), b = keyLatents.get(seg + 1);
                        pending.add(space == Interpolation.Space.Z ? Interpolation.slerp(a, b, t) : Interpolation.lerp(a, b, t));
                        if (pending.size() == batch || i == total - 1) {
                            INDArray latents = Nd4j.stack(0, pending.toArray(new INDArray[0]));
                            INDArray ws = space == Interpolation.Space.Z ? g.mapping(latents, truncation) : latents;
                            INDArray imgs = g.synthesis(ws, mode, noise.seed).castTo(DataType.FLOAT);
                            for (int k = 0; k < pending.size(); k++, written++) {
                                INDArray img = imgs.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
                                Images.writePng(img, frameDir.resolve(String.format(Locale.ROOT, "frame_%05d.png", written)));
                                if (anim != null) anim.add(Animation.upscale(Images.toBufferedImage(img), size));
                            }
                            pending.clear();
                            bar.update(written, Map.of());
                            MemoryPolicy.step();
                        }
                    }
                } finally {
                    bar.end();
                }
                if (anim != null) anim.finish(out.resolve("interpolation"));
                stdout.printf(Locale.ROOT, "%d keys, %s, %d frames -> %s%s%n", segments + (loop ? 0 : 1),
                        space == Interpolation.Space.Z ? "slerp in Z" : "lerp in W+", total, out.resolve("frames"),
                        anim == null ? "" : ", " + String.join(", ", anim.files().stream().map(Path::toString).toList()));
                stdout.flush();
            }
        }
        return 0;
    }

    private List<Animation.Format> formats() {
        List<Animation.Format> l = new ArrayList<>();
        for (String s : video) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "gif" -> l.add(Animation.Format.GIF);
                case "mp4" -> l.add(Animation.Format.MP4);
                case "both" -> { l.add(Animation.Format.GIF); l.add(Animation.Format.MP4); }
                case "none" -> { }
                default -> throw Cli.usage(spec, "--video: expected gif, mp4, both or none, got '" + s + "'");
            }
        }
        return l.stream().distinct().toList();
    }

    /** The keys: z rows of the seeds (Z space), their truncated W+ codes (W space), or every latent of every file. */
    private List<INDArray> keyLatents(Generator g, GeneratorConfig cfg, PrintWriter stdout) throws java.io.IOException {
        List<INDArray> out = new ArrayList<>();
        if (keys.seeds != null) {
            INDArray z = Seeds.z(keys.seeds.seeds(), cfg.zDim());
            INDArray rows = space == Interpolation.Space.Z ? z : g.mapping(z, truncation).castTo(DataType.FLOAT);
            for (int i = 0; i < rows.size(0); i++) out.add(row(rows, i));
            return out;
        }
        for (Path f : keys.w) {
            INDArray ws;
            try {
                ws = LatentFiles.read(f, cfg, stdout::println);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, "--w " + e.getMessage());
            }
            for (int i = 0; i < ws.size(0); i++) out.add(row(ws, i));
        }
        return out;
    }

    private static INDArray row(INDArray a, int i) {
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.point(i);
        for (int k = 1; k < idx.length; k++) idx[k] = NDArrayIndex.all();
        return a.get(idx).dup('c');
    }
}
