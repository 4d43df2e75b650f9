package io.stylegan2.cli;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class StyleGan2CliTest {
    @TempDir Path dir;
    final FakeBackend backend = new FakeBackend();
    final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = StyleGan2Cli.commandLine(backend);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ top level

    @Test
    void helpAndVersion() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("convert", "info", "generate");
        assertThat(run("--version")).isZero();
    }

    @Test
    void unknownOrMissingCommandIsUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate");
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command");
    }

    // ------------------------------------------------------------------ convert

    @Test
    void convertParsesOptions() throws IOException {
        Path in = file("net.pkl", "pickle");
        Path o = dir.resolve("net.safetensors");
        assertThat(run("convert", in.toString(), o.toString(), "--generator", "g", "--lr-mlp", "0.1")).isZero();
        assertThat(backend.calls).containsExactly("convert net.pkl g 0.1");
        assertThat(Files.exists(o)).isTrue();
        assertThat(out.toString()).contains("wrote");
    }

    @Test
    void convertBadArguments() throws IOException {
        Path in = file("net.pkl", "pickle");
        assertThat(run("convert", in.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("OUT");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--generator", "d")).isEqualTo(2);
        assertThat(err.toString()).contains("--generator").contains("g_ema");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--lr-mlp", "abc")).isEqualTo(2);
        assertThat(err.toString()).contains("--lr-mlp");
        assertThat(run("convert", in.toString(), dir.resolve("o").toString(), "--lr-mlp", "-1")).isEqualTo(2);
        assertThat(run("convert", dir.resolve("missing.pkl").toString(), dir.resolve("o").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("IN: no such file").contains("missing.pkl");
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void convertVerifyReportsDifference() throws IOException {
        Path in = file("net.pkl", "pickle");
        assertThat(run("convert", in.toString(), dir.resolve("a.safetensors").toString(), "--verify")).isZero();
        assertThat(out.toString()).contains("max |diff| = 0");
        assertThat(list(dir)).containsExactly("a.safetensors", "net.pkl"); // temp removed

        backend.calls.clear();
        backend.converterNoise = 0.5;
        out.getBuffer().setLength(0);
        assertThat(run("convert", in.toString(), dir.resolve("b.safetensors").toString(), "--verify")).isEqualTo(1);
        assertThat(err.toString()).contains("verification failed");
        assertThat(list(dir)).containsExactly("a.safetensors", "b.safetensors", "net.pkl");
    }

    // ------------------------------------------------------------------ info

    @Test
    void infoPrintsConfigAndCounts() throws IOException {
        Path m = file("m.safetensors", "model");
        assertThat(run("info", m.toString())).isZero();
        String s = out.toString();
        assertThat(s).contains("\"zDim\" : 4", "\"num_ws\" : 4", "\"G_mapping\" : 40", "\"G_total\"", "\"D\"");
        // mapping: 2 layers of 4x4 + 4 = 40
        assertThat(backend.calls).containsExactly("load m.safetensors", "close");
    }

    @Test
    void infoBadArguments() {
        assertThat(run("info")).isEqualTo(2);
        assertThat(err.toString()).contains("MODEL");
        assertThat(run("info", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("MODEL: no such file");
    }

    // ------------------------------------------------------------------ generate

    @Test
    void generateFromSeedsEndToEnd() throws IOException {
        Path m = file("m.safetensors", "model");
        Path o = dir.resolve("out");
        int rc = run("generate", "--model", m.toString(), "--seeds", "1-3,7", "--truncation", "0.7",
                "--truncation-cutoff", "2", "--noise-mode", "random", "--batch", "3", "--out", o.toString(), "--save-npy");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(list(o)).containsExactly("grid.png", "seed0001.npy", "seed0001.png", "seed0002.npy", "seed0002.png",
                "seed0003.npy", "seed0003.png", "seed0007.npy", "seed0007.png");
        assertThat(backend.calls).containsExactly("load m.safetensors",
                "mapping 3 psi=0.7 cutoff=2", "synthesis 3 RANDOM 0",
                "mapping 1 psi=0.7 cutoff=2", "synthesis 1 RANDOM 1", "close");
        BufferedImage grid = ImageIO.read(o.resolve("grid.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(16);   // ceil(sqrt(4)) = 2 columns of 8
        assertThat(grid.getHeight()).isEqualTo(16);
        // the PNG of seed 7 is exactly the fake generator's image for z = randn(7)
        INDArray z = Seeds.z(new long[]{7}, 4);
        FakeBackend.Model g = backend.new Model(0);
        INDArray expected = g.synthesis(g.mapping(z, 0.7, 2), ModelBackend.Noise.RANDOM, 0);
        INDArray png = Images.read(o.resolve("seed0007.png"), 3);
        for (int i = 0; i < 3 * 64; i++) {
            float e = expected.getFloat(i), p = png.getFloat(i);
            assertThat(Images.toByte(p)).isEqualTo(Images.toByte(e));
        }
        assertThat(backend.written.get(Path.of("seed0007.npy")).shape()).containsExactly(3, 8, 8);
        assertThat(out.toString()).contains("wrote 4 images");
    }

    @Test
    void generateFromZAndWFiles() throws IOException {
        Path m = file("m.safetensors", "model");
        Path zf = file("z.npy", ""), wf = file("w.npy", ""), w3 = file("w3.npy", ""), bad = file("bad.npy", "");
        backend.npyFiles.put(zf, Nd4j.rand(DataType.FLOAT, 2, 4));
        backend.npyFiles.put(wf, Nd4j.rand(DataType.FLOAT, 3, 4));
        backend.npyFiles.put(w3, Nd4j.rand(DataType.FLOAT, 1, 4, 4));
        backend.npyFiles.put(bad, Nd4j.rand(DataType.FLOAT, 2, 5));
        assertThat(run("generate", "--model", m.toString(), "--z", zf.toString(), "--out", dir.resolve("z").toString())).isZero();
        assertThat(list(dir.resolve("z"))).containsExactly("grid.png", "img0000.png", "img0001.png");
        backend.calls.clear();
        assertThat(run("generate", "--model", m.toString(), "--w", wf.toString(), "--out", dir.resolve("w").toString())).isZero();
        assertThat(backend.calls).noneMatch(c -> c.startsWith("mapping"));
        assertThat(list(dir.resolve("w"))).hasSize(4);
        assertThat(run("generate", "--model", m.toString(), "--w", w3.toString(), "--out", dir.resolve("w3").toString())).isZero();
        assertThat(run("generate", "--model", m.toString(), "--z", bad.toString(), "--out", dir.resolve("bad").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--z", "bad.npy", "z_dim=4", "[2, 5]");
    }

    @Test
    void generateBadArguments() throws IOException {
        Path m = file("m.safetensors", "model");
        String o = dir.resolve("o").toString();
        assertThat(run("generate", "--model", m.toString(), "--out", o)).isEqualTo(2);       // no input
        assertThat(err.toString()).contains("--seeds");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1", "--z", m.toString(), "--out", o)).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "8-1", "--out", o)).isEqualTo(2);
        assertThat(err.toString()).contains("descending");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "x", "--out", o)).isEqualTo(2);
        assertThat(err.toString()).contains("'x'");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1")).isEqualTo(2);  // no --out
        assertThat(err.toString()).contains("--out");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1", "--out", o, "--noise-mode", "loud")).isEqualTo(2);
        assertThat(err.toString()).contains("--noise-mode");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1", "--out", o, "--batch", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--batch must be >= 1");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1", "--out", o, "--truncation-cutoff", "9")).isEqualTo(2);
        assertThat(err.toString()).contains("exceeds num_ws 4");
        assertThat(run("generate", "--model", dir.resolve("none").toString(), "--seeds", "1", "--out", o)).isEqualTo(2);
        assertThat(err.toString()).contains("--model: no such file");
        assertThat(run("generate", "--model", m.toString(), "--seeds", "1", "--out", o, "--truncation", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("--truncation");
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
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), true);
        bar.start("gen", 4);
        bar.update(0);
        bar.update(2);
        bar.update(2);
        bar.end();
        String s = sw.toString();
        assertThat(s.chars().filter(c -> c == '\r').count()).isEqualTo(2);
        assertThat(s).contains("2/4").endsWith(System.lineSeparator());
        StringWriter off = new StringWriter();
        ProgressBar disabled = new ProgressBar(new PrintWriter(off), false);
        disabled.start("x", 1);
        disabled.update(1);
        disabled.end();
        assertThat(off.toString()).isEmpty();
    }
}
