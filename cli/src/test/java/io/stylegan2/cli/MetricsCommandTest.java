package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ImageMetrics;
import io.stylegan2.metrics.PixelRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code convert-lpips} on the fixture weights and {@code metrics} on real photos (the LPIPS fixture pairs written as PNG). */
class MetricsCommandTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void foldersWithLpipsMatchTheLibrary() throws Exception {
        INDArray img0 = Npy.read(Fixtures.path("lpips/lpips_img0.npy")), img1 = Npy.read(Fixtures.path("lpips/lpips_img1.npy"));
        Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
        for (int i = 0; i < 3; i++) {
            Images.writePng(img0.get(NDArrayIndex.point(i)), a.resolve("p" + i + ".png"));
            Images.writePng(img1.get(NDArrayIndex.point(i)), b.resolve("p" + i + ".png"));
        }
        Images.writePng(img0.get(NDArrayIndex.point(4)), a.resolve("lonely.png"));
        Path weights = dir.resolve("lpips-alex.safetensors");
        assertThat(run("convert-lpips", "--net", "alex", "--backbone", Fixtures.path("lpips/backbone_alexnet_features.pt").toString(),
                "--lin", Fixtures.path("lpips/alex.pth").toString(), weights.toString())).as(cli.err()).isZero();

        assertThat(run("metrics", a.toString(), b.toString(), "--lpips", "alex", "--lpips-weights", weights.toString(), "--json"))
                .as(cli.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(cli.out().substring(cli.out().indexOf('{')));
        assertThat(json.get("pairs")).hasSize(3);
        assertThat(json.get("unpaired").get(0).asText()).contains("lonely");
        assertThat(json.get("perceptual").asText()).isEqualTo("lpips-alex");
        try (Lpips lp = Lpips.load(weights)) {
            for (int i = 0; i < 3; i++) {
                INDArray x = Images.read(a.resolve("p" + i + ".png"), 3), y = Images.read(b.resolve("p" + i + ".png"), 3);
                ImageMetrics m = ImageMetrics.compute(x, y, List.of("p" + i), PixelRange.BYTE, lp).get(0);
                JsonNode row = json.get("pairs").get(i);
                assertThat(row.get("name").asText()).isEqualTo("p" + i);
                assertThat(row.get("mse").asDouble()).isCloseTo(m.mse(), offset(1e-9));
                assertThat(row.get("ssim").asDouble()).isCloseTo(m.ssim(), offset(1e-12));
                assertThat(row.get("lpips").asDouble()).isCloseTo(m.perceptual().getAsDouble(), offset(1e-7));
            }
        }
        // a folder of weights works too
        assertThat(run("metrics", a.toString(), b.toString(), "--lpips", "alex", "--lpips-weights", dir.toString(), "--json")).as(cli.err()).isZero();
        assertThat(cli.out()).contains("lpips-alex");
        // pair 0 is a photo and its noisy copy: close; a plain table also works for a single pair
        assertThat(run("metrics", a.resolve("p0.png").toString(), b.resolve("p0.png").toString())).isZero();
        assertThat(cli.out()).contains("MSE", "PSNR", "SSIM", "p0.png", "byte [0,255]");
    }

    /**
     * The LPIPS options behave the same in metrics, invert and train-encoder (one mixin): a folder needs a net
     * (invert: vgg by default), the net must match a file, and the model's images must be large enough.
     * With the embedded model, pti (which needs LPIPS) runs and writes its drift report.
     */
    @Test
    void lpipsOptionsAreShared() throws Exception {
        Path lp = Files.createDirectories(dir.resolve("lpips"));
        Path weights = lp.resolve("lpips-alex.safetensors");
        assertThat(run("convert-lpips", "--net", "alex", "--backbone", Fixtures.path("lpips/backbone_alexnet_features.pt").toString(),
                "--lin", Fixtures.path("lpips/alex.pth").toString(), weights.toString())).as(cli.err()).isZero();
        Path img = dir.resolve("img.png");
        Images.writePng(Npy.read(Fixtures.path("lpips/lpips_img0.npy")).get(NDArrayIndex.point(0)), img);
        Path tiny = TinyModel.write(dir.resolve("tiny.safetensors"), 1), o = dir.resolve("o");

        assertThat(run("metrics", img.toString(), img.toString(), "--lpips-weights", lp.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--lpips-weights is a folder: say which net with --lpips");
        assertThat(run("metrics", img.toString(), img.toString(), "--lpips", "vgg", "--lpips-weights", weights.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--lpips vgg but", "holds alex weights");
        assertThat(run("metrics", img.toString(), img.toString(), "--lpips", "resnet", "--lpips-weights", weights.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--lpips: unknown LPIPS net 'resnet'");
        assertThat(run("invert", "--lpips-weights", lp.toString(), img.toString(), "--out", o.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--lpips-weights: no such file", "lpips-vgg.safetensors");   // invert's folder default
        assertThat(run("invert", "--model", tiny.toString(), "--lpips-weights", lp.toString(), "--lpips", "alex", img.toString(),
                "--out", o.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("LPIPS-alex needs images of at least 31 px; the model makes 16 px");
        assertThat(run("train-encoder", "--model", tiny.toString(), "--steps", "1", "--lpips-weights", weights.toString(),
                "--out", dir.resolve("enc").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("LPIPS-alex needs images of at least 31 px");

        assertThat(run("invert", "--method", "pti", "--steps", "2", "--option", "pivot-steps=2", "--option", "threshold=0",
                "--lpips-weights", lp.toString(), "--lpips", "alex", img.toString(), "--out", o.toString())).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("img: pti 2 steps", "lpips-alex");
        assertThat(o.resolve("img").resolve("drift.json")).isRegularFile();
        JsonNode m = new ObjectMapper().readTree(o.resolve("img").resolve("metrics.json").toFile());
        assertThat(m.get("lpips_net").asText()).isEqualTo("lpips-alex");
        assertThat(m.get("drift_report").has("drift_mse")).isTrue();

        Path og = dir.resolve("inv-gani");
        assertThat(run("invert", "--method", "gani", "--steps", "2", "--option", "pivot-steps=2", "--option", "width=2",
                "--lpips-weights", lp.toString(), "--lpips", "alex", img.toString(), "--out", og.toString())).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("img: gani 2 steps");
        JsonNode mg = new ObjectMapper().readTree(og.resolve("img").resolve("metrics.json").toFile());
        assertThat(mg.get("drift_report").has("drift_mse")).isTrue();
        assertThat(og.resolve("img").resolve("drift.json")).isRegularFile();
    }

    /** Folders: grid.png is never paired; an unreadable or mismatched pair is reported and the others are measured. */
    @Test
    void foldersGoOnPastPairsThatCannotBeMeasured() throws Exception {
        Path a = dir.resolve("fa"), b = dir.resolve("fb");
        Files.createDirectories(a);
        Files.createDirectories(b);
        for (Path d : new Path[]{a, b}) {
            Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 16, 16), d.resolve("good.png"));
            Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 16, 16), d.resolve("grid.png"));
        }
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 16, 16), a.resolve("small.png"));
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 12, 12), b.resolve("small.png"));
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 16, 16), a.resolve("broken.png"));
        Files.writeString(b.resolve("broken.png"), "not an image");
        assertThat(run("metrics", a.toString(), b.toString(), "--json")).as(cli.out() + cli.err()).isEqualTo(1);
        JsonNode m = new ObjectMapper().readTree(cli.out());
        assertThat(m.get("pairs")).as(cli.out() + cli.err()).hasSize(1);
        assertThat(m.get("pairs").get(0).get("name").asText()).isEqualTo("good");
        assertThat(m.get("skipped")).hasSize(2);
        assertThat(cli.err()).contains("warning: pair skipped: broken: cannot read image", "warning: pair skipped: small: size differs");
    }

    @Test
    void badArgumentsAreClear() throws Exception {
        Path a = dir.resolve("a.png"), small = dir.resolve("s.png");
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 8, 8), a);
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 4, 4), small);
        assertThat(run("metrics", a.toString(), a.toString(), "--lpips", "alex")).isEqualTo(2);
        assertThat(cli.err()).contains("--lpips-weights");
        assertThat(run("metrics", a.toString(), dir.toString())).isEqualTo(2);
        assertThat(run("metrics", a.toString(), small.toString())).isEqualTo(1);
        assertThat(cli.err()).contains("sizes differ");
        assertThat(run("convert-lpips", "--net", "resnet", "--backbone", a.toString(), "--lin", a.toString(), dir.resolve("x").toString())).isEqualTo(2);
    }
}
