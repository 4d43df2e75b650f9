package io.stylegan2.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.LossCurves;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.data.ImageDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The folder of a training run (NVlabs' run directory in our formats):
 * <ul>
 *   <li>{@code metrics.jsonl}: one JSON line per tick (tick, kimg, the tick's mean losses, R1 penalty,
 *       scores, seconds per tick, kimg/s), appended;</li>
 *   <li>{@code losses.png}: the losses per tick (redrawn every tick);</li>
 *   <li>{@code reals.png}: a grid of training images; {@code fakes<kimg>.png} (and {@code fakes_init.png}):
 *       G_ema's images of fixed latents, const noise;</li>
 *   <li>{@code network-snapshot-<kimg>.safetensors}: G_ema and D as a native model (what {@code generate},
 *       {@code invert} and {@code --resume} read);</li>
 *   <li>{@code training-state-<kimg>.safetensors}: everything for an exact resume ({@link TrainingState}).</li>
 * </ul>
 * Every file is written atomically (a temporary file, then a rename), and the training state is
 * written before its network snapshot, so a run killed at any moment leaves only complete files and
 * {@link #latestState} finds the newest state to resume from.
 */
final class RunFolder {
    static final String STATE_PREFIX = "training-state-", NETWORK_PREFIX = "network-snapshot-";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Latents of the sample grids. */
    static final int GRID = 64;

    private final Path dir;
    private final TrainingOptions options;
    private final List<Map<String, Double>> ticks = new ArrayList<>();

    private RunFolder(Path dir, TrainingOptions options) {
        this.dir = dir;
        this.options = options;
    }

    static RunFolder create(Path dir, TrainingOptions options) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException("run folder " + dir + " is a file");
        Files.createDirectories(dir);
        RunFolder r = new RunFolder(dir, options);
        Path m = dir.resolve("metrics.jsonl");
        if (Files.exists(m)) {   // a resumed run: the chart continues the old ticks
            for (String line : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                @SuppressWarnings("unchecked")
                Map<String, Object> raw = JSON.readValue(line, Map.class);
                Map<String, Double> t = new LinkedHashMap<>();
                raw.forEach((k, v) -> { if (v instanceof Number n) t.put(k, n.doubleValue()); });
                r.ticks.add(t);
            }
        }
        return r;
    }

    Path dir() {
        return dir;
    }

    /** Appends one tick's line and redraws {@code losses.png}. A resumed run first drops lines past its snapshot. */
    void appendMetrics(Map<String, Double> line) throws IOException {
        double kimg = line.get("kimg");
        ticks.removeIf(t -> t.getOrDefault("kimg", 0.0) >= kimg);
        ticks.add(line);
        StringBuilder sb = new StringBuilder();
        for (Map<String, Double> t : ticks) sb.append(JSON.writeValueAsString(t)).append('\n');
        AtomicFiles.write(dir.resolve("metrics.jsonl"), sb.toString().getBytes(StandardCharsets.UTF_8));
        List<Map<String, Double>> curves = new ArrayList<>();
        for (Map<String, Double> t : ticks) {
            Map<String, Double> c = new LinkedHashMap<>();
            for (String k : new String[]{"G_loss", "D_loss", "r1_penalty", "scores_real", "scores_fake"}) if (t.containsKey(k)) c.put(k, t.get(k));
            curves.add(c);
        }
        LossCurves.writePng(curves, "training losses per tick (" + options.kimgPerTick() + " kimg)", false, dir.resolve("losses.png"));
    }

    /** {@code reals.png} (once) and {@code fakes<label>.png}: G_ema on {@value #GRID} fixed latents, const noise. */
    void writeGrids(Networks nets, String label, ImageDataset data) throws IOException {
        Path reals = dir.resolve("reals.png");
        int n = Math.min(GRID, data.size());
        if (!Files.exists(reals)) {
            int per = data.channels() * data.resolution() * data.resolution();
            float[] v = new float[n * per];
            for (int i = 0; i < n; i++) data.copyTo(i, false, v, i * per);
            Images.writeGridPng(Nd4j.create(v, new long[]{n, data.channels(), data.resolution(), data.resolution()}, DataType.FLOAT),
                    Images.defaultGridColumns(n), reals);
        }
        try (Generator g = Generator.create(nets.gCfg, Networks.canonical(nets.gEma))) {
            INDArray z = Nd4j.create(Seeds.gaussian(new SplittableRandom(Seeds.mix(options.seed(), -1)), GRID * nets.gCfg.zDim()),
                    new long[]{GRID, nets.gCfg.zDim()}, DataType.FLOAT);
            INDArray imgs = g.generate(z, 1.0, NoiseMode.CONST, 0);
            Images.writeGridPng(imgs, Images.defaultGridColumns(GRID), dir.resolve("fakes" + (label.equals("init") ? "_init" : label) + ".png"));
        }
    }

    /** Writes the training state, then the network snapshot (each atomically). */
    void snapshot(Networks nets, TrainingState s, TrainingOptions o, Adam g, Adam d) throws IOException {
        String k = String.format(Locale.ROOT, "%06d", s.curNimg / 1000);
        TrainingState.write(dir.resolve(STATE_PREFIX + k + ".safetensors"), nets, s, o, g, d);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", "stylegan2-jvm training, " + s.curNimg / 1000.0 + " kimg, G_ema");
        meta.put("training_options", io.stylegan2.stylegan.NativeModel.toJson(o));
        meta.put("kimg", Double.toString(s.curNimg / 1000.0));
        nets.model(meta).write(dir.resolve(NETWORK_PREFIX + k + ".safetensors"));
    }

    /** The newest training state in a run folder (by the kimg in its name), if any. */
    static Optional<Path> latestState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(STATE_PREFIX) && p.getFileName().toString().endsWith(".safetensors"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        }
    }
}
