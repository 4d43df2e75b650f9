package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.testing.FashionMnistSamples;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.padinv.PaddingEdits;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code invert --method padinv-opt}, then {@code edit}, {@code padding blend} and {@code padding pair-edit} on the embedded model and real test garments. */
class PaddingCommandTest {
    @TempDir Path dir;
    static Generator g;
    CliHarness cli = new CliHarness();

    @BeforeAll
    static void load() throws Exception {
        g = CliHarness.defaultGenerator();
    }

    @AfterAll
    static void close() {
        g.close();
    }

    private INDArray png(Path p) throws Exception {
        return Images.read(p, 3);
    }

    private INDArray asPng(INDArray img) throws Exception {
        Path p = Files.createTempFile(dir, "x", ".png");
        Images.writePng(img, p);
        return png(p);
    }

    @Test
    void invertThenEditBlendAndPairEdit() throws Exception {
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png"), c = dir.resolve("c.png"), o = dir.resolve("inv");
        for (Object[] x : new Object[][]{{a, 20}, {b, 21}, {c, 22}}) Images.writePng(FashionMnistSamples.padded((Integer) x[1], 3), (Path) x[0]);
        assertThat(cli.run("invert", "--method", "padinv-opt", "--steps", "8", a.toString(), b.toString(), c.toString(), "--out", o.toString()))
                .as(cli.err()).isZero();
        Path ra = o.resolve("a/result.safetensors"), rb = o.resolve("b/result.safetensors"), rc = o.resolve("c/result.safetensors");
        InversionResult resA = InversionResults.load(ra), resB = InversionResults.load(rb);
        assertThat(resA.method()).isEqualTo("padinv-opt");
        assertThat(resA.reconstruction().hooks().padding()).hasSize(4);

        // an ordinary edit keeps the padding maps: strength 0 redraws reconstruction.png
        Path dirs = dir.resolve("dirs.safetensors");
        assertThat(cli.run("directions", "--method", "sefa", "--num", "1", "--out", dirs.toString())).as(cli.err()).isZero();
        assertThat(cli.run("edit", ra.toString(), "--direction", dirs.toString(), "--strength", "0", "--out", dir.resolve("e").toString())).as(cli.err()).isZero();
        assertThat(png(dir.resolve("e/edit_00.png"))).isEqualTo(png(o.resolve("a/reconstruction.png")));

        assertThat(cli.run("padding", "blend", ra.toString(), rb.toString(), "--out", dir.resolve("bl").toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("blend_00.png");
        assertThat(png(dir.resolve("bl/blend_00.png"))).isEqualTo(asPng(ReconstructionRenderer.render(g, PaddingEdits.blend(resA.reconstruction(), resB.reconstruction()))));
        assertThat(dir.resolve("bl/blend.png")).exists();

        assertThat(cli.run("padding", "pair-edit", "--original", ra.toString(), "--edited", rb.toString(), "--strength", "0,1", rc.toString(), ra.toString(),
                "--out", dir.resolve("pe").toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("pair edit in both space");
        assertThat(png(dir.resolve("pe/00_00.png"))).isEqualTo(png(o.resolve("c/reconstruction.png")));
        // the original moved by the whole difference is the edited copy's reconstruction
        assertThat(png(dir.resolve("pe/01_01.png")).sub(png(o.resolve("b/reconstruction.png"))).amaxNumber().doubleValue()).isLessThanOrEqualTo(1.0 / 127.5 + 1e-6);

        // clear errors: a W+ result has no padding maps; a bad space
        Path w = dir.resolve("w");
        assertThat(cli.run("invert", "--method", "wplus", "--steps", "2", a.toString(), "--out", w.toString())).as(cli.err()).isZero();
        assertThat(cli.run("padding", "blend", w.resolve("a/result.safetensors").toString(), rb.toString(), "--out", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("no padding maps");
        assertThat(cli.run("padding", "pair-edit", "--original", ra.toString(), "--edited", rb.toString(), "--space", "pixels", rc.toString(),
                "--out", dir.resolve("y").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("expected padding, wplus or both");
    }

    @Test
    void trainAPadInvEncoderWithTheAdversarialTermThenInvertWithIt() throws Exception {
        Path model = dir.resolve("model.safetensors"), real = dir.resolve("real"), enc = dir.resolve("enc"), inv = dir.resolve("inv");
        try (java.io.InputStream in = StyleGan2Cli.class.getResourceAsStream(StyleGan2Cli.DEFAULT_MODEL_RESOURCE)) {
            Files.copy(in, model);
        }
        Files.createDirectories(real);
        for (int i = 0; i < 4; i++) Images.writePng(FashionMnistSamples.padded(30 + i, 3), real.resolve("g" + i + ".png"));
        assertThat(cli.run("train-encoder", "--model", model.toString(), "--preset", "padinv", "--padded-up-to", "16", "--adversarial", "0.05",
                "--real-images", real.toString(), "--steps", "2", "--batch", "2", "--out", enc.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("IR_SE");
        Path a = real.resolve("g0.png");
        assertThat(cli.run("invert", "--model", model.toString(), "--method", "padinv", "--option", "encoder=" + enc.resolve("encoder.safetensors"),
                a.toString(), "--out", inv.toString())).as(cli.err()).isZero();
        InversionResult r = InversionResults.load(inv.resolve("g0/result.safetensors"));
        assertThat(r.method()).isEqualTo("padinv");
        assertThat(r.reconstruction().hooks().padding()).containsOnlyKeys("b4.conv1", "b8.conv1", "b16.conv1");
        assertThat(r.reconstruction().hooks().constInput()).isNotNull();
        assertThat(cli.run("train-encoder", "--model", model.toString(), "--preset", "padinv", "--padded-up-to", "12", "--steps", "1",
                "--out", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--padded-up-to");
    }
}
