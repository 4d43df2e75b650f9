package io.stylegan2.cli;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;

/** Argument handling and the model commands (convert, info, generate) on a tiny random model and the rosinality fixture. */
class StyleGan2CliTest {
    static final String ROSINALITY = "rosinality/ros_s16_c48/checkpoint.pt";
    static final int Z = TinyModel.CONFIG.zDim();

    @TempDir Path dir;
    final CliHarness cli = new CliHarness();
    Path model;

    @BeforeEach
    void writeModel() throws IOException {
        model = TinyModel.write(dir.resolve("m.safetensors"), 7);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return cli.out();
    }

    private String err() {
        return cli.err();
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ top level

    @Test
    void helpAndVersion() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("convert", "info", "generate");
        assertThat(run("--version")).isZero();
    }

    @Test
    void unknownOrMissingCommandIsUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("frobnicate");
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("missing command");
    }

    /** The shared options keep their names and defaults in every command (they come from the mixins). */
    @Test
    void sharedOptionsKeepTheirNames() {
        var cl = StyleGan2Cli.commandLine();
        for (String c : List.of("generate", "invert", "edit", "directions", "train-encoder"))
            assertThat(cl.getSubcommands().get(c).getCommandSpec().findOption("--model")).as(c).isNotNull();
        for (String c : List.of("generate", "invert", "edit", "train-encoder"))
            assertThat(cl.getSubcommands().get(c).getCommandSpec().findOption("--out").required()).as(c).isTrue();
        for (String c : List.of("invert", "metrics", "train-encoder"))
            assertThat(cl.getSubcommands().get(c).getCommandSpec().findOption("--lpips-weights")).as(c).isNotNull();
        for (String c : List.of("generate", "edit"))
            assertThat(cl.getSubcommands().get(c).getCommandSpec().findOption("--noise-seed").defaultValue()).as(c).isEqualTo("0");
        assertThat(cl.getSubcommands().get("train-encoder").getCommandSpec().findOption("--model").required()).isTrue();
        assertThat(cl.getSubcommands().get("generate").getCommandSpec().findOption("--model").required()).isFalse();
        // train-encoder keeps --model required
        assertThat(run("train-encoder", "--steps", "1", "--out", dir.resolve("enc").toString())).isEqualTo(2);
        assertThat(err()).contains("--model");
    }

    /** train's path-length weight defaults as NVlabs': on (2) from 64 px up, off below; an explicit --pl-weight wins. */
    @Test
    void trainPathLengthWeightDefaultsByResolution() {
        assertThat(TrainCommand.defaultPlWeight(32)).isEqualTo(0.0);
        assertThat(TrainCommand.defaultPlWeight(64)).isEqualTo(2.0);
        assertThat(TrainCommand.defaultPlWeight(1024)).isEqualTo(2.0);
        assertThat(StyleGan2Cli.commandLine().getSubcommands().get("train").getCommandSpec().findOption("--pl-weight").defaultValue()).isNull();
    }

    // ------------------------------------------------------------------ convert

    /** --generator and --lr-mlp reach the converter: the file records the network taken and the mapping lr multiplier. */
    @Test
    void convertParsesOptions() throws IOException {
        Path o = dir.resolve("net.safetensors");
        assertThat(run("convert", Fixtures.path(ROSINALITY).toString(), o.toString(), "--generator", "g", "--lr-mlp", "0.1"))
                .as(err()).isZero();
        assertThat(out()).contains("wrote");
        NativeModel m = NativeModel.read(o);
        assertThat(m.metadata().get("generator")).isEqualTo("g");
        assertThat(m.generatorConfig().lrMultiplier()).isEqualTo(0.1);
        assertThat(m.hasDiscriminator()).isTrue();
    }

    @Test
    void generateRefusesLatentsAndTruncationThatDrawNaN() throws IOException {
        assertThat(run("generate", "--model", model.toString(), "--seeds", "0", "--truncation", "1e308", "--out", dir.resolve("g1").toString())).isEqualTo(2);
        assertThat(err()).contains("--truncation must be finite and within [-100.0, 100.0], got 1.0E308");
        INDArray z = Nd4j.zeros(DataType.FLOAT, 2, Z);
        z.putScalar(1, Float.NaN);
        Path zf = dir.resolve("z.npy");
        Npy.writeFloat32(zf, z);
        assertThat(run("generate", "--model", model.toString(), "--z", zf.toString(), "--out", dir.resolve("g2").toString())).isEqualTo(2);
        assertThat(err()).contains("--z " + zf, "1 NaN or infinite value in the latents");
        assertThat(dir.resolve("g2")).doesNotExist();                 // a failed run leaves no empty folder

        // a seed range is drawn batch by batch; grid.png shows the first 256
        Path g3 = dir.resolve("g3");
        assertThat(run("generate", "--model", model.toString(), "--seeds", "0-299", "--batch", "64", "--out", g3.toString())).as(err()).isZero();
        assertThat(out()).contains("wrote 300 images and grid.png (the first 256)");
        try (Stream<Path> s = Files.list(g3)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("seed")).count()).isEqualTo(300);
        }
        assertThat(g3.resolve("grid.png")).isRegularFile();
    }

    @Test
    void convertBadArguments() throws IOException {
        Path in = file("net.pkl", "pickle");
        assertThat(run("convert", in.toString())).isEqualTo(2);
        assertThat(err()).contains("OUT");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--generator", "d")).isEqualTo(2);
        assertThat(err()).contains("--generator").contains("g_ema");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--lr-mlp", "abc")).isEqualTo(2);
        assertThat(err()).contains("--lr-mlp");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--lr-mlp", "-1")).isEqualTo(2);
        assertThat(err()).contains("--lr-mlp must be a positive number");
        assertThat(run("convert", dir.resolve("missing.pkl").toString(), dir.resolve("o").toString())).isEqualTo(2);
        assertThat(err()).contains("IN: no such file").contains("missing.pkl");
        assertThat(run("convert", in.toString(), dir.resolve("none/o").toString())).isEqualTo(2);
        assertThat(err()).contains("OUT: folder does not exist");
        assertThat(list(dir)).containsExactly("m.safetensors", "net.pkl");   // nothing converted, nothing written
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "my notes");
        assertThat(run("convert", in.toString(), notes.toString())).isEqualTo(2);
        assertThat(err()).contains("OUT: " + notes + " exists and is not a stylegan2-jvm/1 model file: refusing to overwrite it");
        assertThat(Files.readString(notes)).isEqualTo("my notes");
    }

    /**
     * The pass path converts the rosinality fixture bit-exactly (no temp file left); the fail path
     * is driven by the tolerance (the converter has no lossy path to fail on honestly): a negative
     * one no difference can meet exits 1 and keeps OUT. {@link ConvertCommand#maxDiff} itself is
     * checked on two different models.
     */
    @Test
    void convertVerifyReportsDifference() throws IOException {
        Path in = Fixtures.path(ROSINALITY);
        Path conv = Files.createDirectories(dir.resolve("conv"));
        assertThat(run("convert", in.toString(), conv.resolve("a.safetensors").toString(), "--verify")).as(err()).isZero();
        assertThat(out()).contains("verify: seed 0, max |diff| = 0.00 ");
        assertThat(list(conv)).containsExactly("a.safetensors");   // temp removed

        assertThat(run("convert", in.toString(), conv.resolve("b.safetensors").toString(), "--verify", "--tolerance", "-1")).isEqualTo(1);
        assertThat(out()).contains("max |diff| = 0.00 (tolerance -1.00)");
        assertThat(err()).contains("error: verification failed: max |diff| 0.0 > -1.0");
        assertThat(list(conv)).containsExactly("a.safetensors", "b.safetensors");

        Path other = TinyModel.write(dir.resolve("other.safetensors"), 8);
        try (Generator a = Generator.load(model); Generator b = Generator.load(other); Generator a2 = Generator.load(model)) {
            assertThat(ConvertCommand.maxDiff(a, a2)).isZero();
            assertThat(ConvertCommand.maxDiff(a, b)).isGreaterThan(1e-3);
        }
    }

    // ------------------------------------------------------------------ info

    @Test
    void infoPrintsConfigAndCounts() throws IOException {
        assertThat(run("info", model.toString())).as(err()).isZero();
        String s = out();
        // mapping: 2 layers of 8x8 + 8 = 144; the analytic total is what the library counts
        long total = ParameterCounts.of(TinyModel.CONFIG).total();
        assertThat(s).contains("\"zDim\" : 8", "\"num_ws\" : 6", "\"G_mapping\" : 144", "\"G_total\" : " + total, "\"G_reported\" : " + total,
                "\"D\" : " + ParameterCounts.discriminator(TinyModel.D_CONFIG), "\"discriminator\" : {");
    }

    @Test
    void infoBadArguments() {
        assertThat(run("info")).isEqualTo(2);
        assertThat(err()).contains("MODEL");
        assertThat(run("info", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err()).contains("MODEL: no such file");
    }

    // ------------------------------------------------------------------ generate

    /**
     * Seeds in batches of 3 with random noise: every image is the library's rendering of its z with
     * psi 0.7, cutoff 2, and the noise seed of its batch (batch b: seed + b), in the PNG and the .npy.
     */
    @Test
    void generateFromSeedsEndToEnd() throws IOException {
        Path o = dir.resolve("out");
        int rc = run("generate", "--model", model.toString(), "--seeds", "1-3,7", "--truncation", "0.7",
                "--truncation-cutoff", "2", "--noise-mode", "random", "--noise-seed", "5", "--batch", "3", "--out", o.toString(), "--save-npy");
        assertThat(rc).as(err()).isZero();
        assertThat(list(o)).containsExactly("grid.png", "seed0001.npy", "seed0001.png", "seed0002.npy", "seed0002.png",
                "seed0003.npy", "seed0003.png", "seed0007.npy", "seed0007.png");
        BufferedImage grid = ImageIO.read(o.resolve("grid.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(34);   // ceil(sqrt(4)) = 2 columns of 16, a 2-pixel gutter
        assertThat(grid.getHeight()).isEqualTo(34);
        try (Generator g = Generator.load(model)) {
            INDArray first = g.synthesis(g.mapping(Seeds.z(new long[]{1, 2, 3}, Z), 0.7, 2), NoiseMode.RANDOM, 5);
            INDArray last = g.synthesis(g.mapping(Seeds.z(new long[]{7}, Z), 0.7, 2), NoiseMode.RANDOM, 6);
            assertAllClose("seed 2", Npy.read(o.resolve("seed0002.npy")), first.get(NDArrayIndex.point(1)), 0, 0);
            INDArray npy7 = Npy.read(o.resolve("seed0007.npy"));
            assertThat(npy7.shape()).containsExactly(3, 16, 16);
            assertAllClose("seed 7", npy7, last.get(NDArrayIndex.point(0)), 0, 0);
            INDArray png = Images.read(o.resolve("seed0007.png"), 3);
            for (int i = 0; i < 3 * 256; i++) assertThat(Images.toByte(png.getFloat(i))).isEqualTo(Images.toByte(last.getFloat(i)));
            // another noise seed gives another image: the seed reached the generator
            INDArray other = g.synthesis(g.mapping(Seeds.z(new long[]{7}, Z), 0.7, 2), NoiseMode.RANDOM, 0);
            assertThat(other.equals(last)).isFalse();
        }
        assertThat(out()).contains("wrote 4 images");
    }

    @Test
    void generateFromZAndWFiles() throws IOException {
        Path zf = dir.resolve("z.npy"), wf = dir.resolve("w.npy"), w3 = dir.resolve("w3.npy"), bad = dir.resolve("bad.npy"),
                badW = dir.resolve("badw.npy");
        Nd4j.getRandom().setSeed(1);
        Npy.writeFloat32(zf, Nd4j.rand(DataType.FLOAT, 2, 8));
        Npy.writeFloat32(wf, Nd4j.rand(DataType.FLOAT, 3, 8));
        Npy.writeFloat32(w3, Nd4j.rand(DataType.FLOAT, 1, 6, 8));
        Npy.writeFloat32(bad, Nd4j.rand(DataType.FLOAT, 2, 5));
        Npy.writeFloat32(badW, Nd4j.rand(DataType.FLOAT, 2, 3, 8));
        assertThat(run("generate", "--model", model.toString(), "--z", zf.toString(), "--out", dir.resolve("z").toString())).as(err()).isZero();
        assertThat(list(dir.resolve("z"))).containsExactly("grid.png", "img0000.png", "img0001.png");
        // --w is synthesised as it is (no mapping, no truncation): a [N, w_dim] row is broadcast to every ws row
        assertThat(run("generate", "--model", model.toString(), "--w", wf.toString(), "--truncation", "0.5", "--save-npy",
                "--out", dir.resolve("w").toString())).as(err()).isZero();
        assertThat(list(dir.resolve("w"))).hasSize(7);
        try (Generator g = Generator.load(model)) {
            INDArray ws = WPlus.broadcast(Npy.read(wf), 6);
            INDArray expected = g.synthesis(ws, NoiseMode.CONST, 0);
            assertAllClose("w row 2", Npy.read(dir.resolve("w").resolve("img0002.npy")), expected.get(NDArrayIndex.point(2)), 0, 1e-6);
        }
        assertThat(run("generate", "--model", model.toString(), "--w", w3.toString(), "--out", dir.resolve("w3").toString())).as(err()).isZero();
        assertThat(run("generate", "--model", model.toString(), "--z", bad.toString(), "--out", dir.resolve("bad").toString())).isEqualTo(2);
        assertThat(err()).contains("--z", "bad.npy", "z_dim=8", "[2, 5]");
        assertThat(run("generate", "--model", model.toString(), "--w", badW.toString(), "--out", dir.resolve("bad").toString())).isEqualTo(2);
        assertThat(err()).contains("--w", "badw.npy", "[2, 3, 8]", "[N, 6, 8]");
    }

    @Test
    void generateBadArguments() throws IOException {
        String m = model.toString();
        String o = dir.resolve("o").toString();
        assertThat(run("generate", "--model", m, "--out", o)).isEqualTo(2);       // no input
        assertThat(err()).contains("--seeds");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--z", m, "--out", o)).isEqualTo(2);
        assertThat(err()).contains("mutually exclusive");
        assertThat(run("generate", "--model", m, "--seeds", "8-1", "--out", o)).isEqualTo(2);
        assertThat(err()).contains("descending");
        assertThat(run("generate", "--model", m, "--seeds", "x", "--out", o)).isEqualTo(2);
        assertThat(err()).contains("'x'");
        assertThat(run("generate", "--model", m, "--seeds", "1")).isEqualTo(2);  // no --out
        assertThat(err()).contains("--out");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--out", o, "--noise-mode", "loud")).isEqualTo(2);
        assertThat(err()).contains("--noise-mode");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--out", o, "--batch", "0")).isEqualTo(2);
        assertThat(err()).contains("--batch must be >= 1");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--out", o, "--truncation-cutoff", "9")).isEqualTo(2);
        assertThat(err()).contains("exceeds num_ws 6");
        assertThat(run("generate", "--model", dir.resolve("none").toString(), "--seeds", "1", "--out", o)).isEqualTo(2);
        assertThat(err()).contains("--model: no such file");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--out", o, "--truncation", "x")).isEqualTo(2);
        assertThat(err()).contains("--truncation");
        assertThat(run("generate", "--model", m, "--seeds", "1", "--out", m)).isEqualTo(2);
        assertThat(err()).contains("--out: not a folder");
    }

    // ------------------------------------------------------------------ pieces

    @Test
    void seedListConverter() throws Exception {
        assertThat(new Cli.SeedListConverter().convert("1,3,5-7").seeds()).containsExactly(1, 3, 5, 6, 7);
    }

    @Test
    void parameterCountsMatchOfficialConfigF() {
        var cfg = io.stylegan2.stylegan.GeneratorConfig.nvlabs(512, 512, 8, 1024, 3, 32768, 512);
        ParameterCounts pc = ParameterCounts.of(cfg);
        assertThat(pc.mapping()).isEqualTo(2_101_248);
        assertThat(pc.total()).isEqualTo(30_370_060);
    }

    @Test
    void progressBarRedrawsOnlyOnChange() {
        StringWriter sw = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true, 0, () -> now[0]);
        bar.start("gen", 4);
        bar.update(0);
        now[0] += 1_000_000_000L;
        bar.update(2);
        bar.update(2);                           // same text: not redrawn
        now[0] += 10_000_000L;
        bar.update(3);                           // 10 ms later: not redrawn yet
        bar.update(4);                           // the last state: always
        bar.end();
        String s = sw.toString();
        assertThat(s.chars().filter(c -> c == '\r').count()).isEqualTo(3);
        assertThat(s).contains("2/4").endsWith(System.lineSeparator());
        StringWriter off = new StringWriter();
        ProgressBar disabled = new ProgressBar(new PrintWriter(off), false);
        disabled.start("x", 1);
        disabled.update(1);
        disabled.end();
        assertThat(off.toString()).isEmpty();
    }

    @Test
    void threadsOptionOnEveryCommand() {
        int before = io.stylegan2.core.engine.Threads.current();
        try {
            CliHarness h = new CliHarness();
            assertThat(h.run("generate", "--threads", "1", "--seeds", "1", "--out", dir.resolve("one").toString())).as(h.err()).isZero();
            assertThat(io.stylegan2.core.engine.Threads.current()).isEqualTo(1);
            assertThat(h.run("generate", "--threads", "0", "--seeds", "1", "--out", dir.resolve("t").toString())).isEqualTo(2);
            assertThat(h.err()).contains("--threads must be >= 1");
            // main's default: an explicit --threads is kept, otherwise the free cores are set
            Path d = dir.resolve("d");
            assertThat(StyleGan2Cli.withDefaultThreads(StyleGan2Cli.commandLine(), false).execute("generate", "--threads", "1", "--seeds", "1", "--out", d.toString())).isZero();
            assertThat(io.stylegan2.core.engine.Threads.current()).isEqualTo(1);
            io.stylegan2.core.engine.Threads.set(Runtime.getRuntime().availableProcessors() + 1);
            assertThat(StyleGan2Cli.withDefaultThreads(StyleGan2Cli.commandLine(), false).execute("generate", "--seeds", "1", "--out", d.toString())).isZero();
            assertThat(io.stylegan2.core.engine.Threads.current()).isBetween(1, Runtime.getRuntime().availableProcessors());
        } finally {
            io.stylegan2.core.engine.Threads.set(before);
        }
    }

    @Test
    void progressShowsRateAndEtaAndLogsPlainLinesWithoutAConsole() {
        long[] now = {0};
        assertThat(ProgressBar.render("inv", 30, 100, Map.of(), 12.0)).contains("30/100").contains("2.50 it/s").contains("ETA 0:28");
        assertThat(ProgressBar.render("inv", 2, 100, Map.of(), 8.0)).contains("4.00 s/it").contains("ETA 6:32");
        assertThat(ProgressBar.render("inv", 100, 100, Map.of(), 8.0)).doesNotContain("ETA");
        assertThat(ProgressBar.clock(3725)).isEqualTo("1:02:05");
        // plain lines at most every 10 s, one last line when a logged task ends; a short task prints nothing
        StringWriter sw = new StringWriter();
        ProgressBar log = new ProgressBar(new PrintWriter(sw), true, 10, () -> now[0]);
        log.start("short", 3);
        log.update(3, Map.of());
        log.end();
        assertThat(sw.toString()).isEmpty();
        log.start("long", 100);
        for (int i = 1; i <= 100; i++) {
            now[0] += 500_000_000L;                        // 0.5 s per step: 50 s in all
            log.update(i, Map.of("loss", 1.0 / i));
        }
        log.end();
        String[] lines = sw.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(6);                       // at 10, 20, 30, 40, 50 s, and the last
        assertThat(lines[0]).contains("long").contains("20/100").contains("2.00 it/s").contains("ETA 0:40").doesNotContain("\r");
        assertThat(lines[5]).contains("100/100").endsWith("(done)");
    }
}
