package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ImageMetrics;
import io.stylegan2.metrics.LpipsDistance;
import io.stylegan2.metrics.PixelRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code convert-lpips} on the fixture weights and {@code metrics} on real photos (the LPIPS fixture pairs written as PNG). */
class MetricsCommandTest {
    @TempDir Path dir;
    final CliHarness cli = CliHarness.real();
    final java.io.StringWriter out = cli.out, err = cli.err;

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
                "--lin", Fixtures.path("lpips/alex.pth").toString(), weights.toString())).as(err.toString()).isZero();

        assertThat(run("metrics", a.toString(), b.toString(), "--lpips", "alex", "--lpips-weights", weights.toString(), "--json"))
                .as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString().substring(out.toString().indexOf('{')));
        assertThat(json.get("pairs")).hasSize(3);
        assertThat(json.get("unpaired").get(0).asText()).contains("lonely");
        assertThat(json.get("perceptual").asText()).isEqualTo("lpips-alex");
        try (LpipsDistance lp = new LpipsDistance(Lpips.load(weights))) {
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
        out.getBuffer().setLength(0);
        assertThat(run("metrics", a.toString(), b.toString(), "--lpips", "alex", "--lpips-weights", dir.toString(), "--json")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("lpips-alex");
        // pair 0 is a photo and its noisy copy: close; a plain table also works for a single pair
        out.getBuffer().setLength(0);
        assertThat(run("metrics", a.resolve("p0.png").toString(), b.resolve("p0.png").toString())).isZero();
        assertThat(out.toString()).contains("MSE", "PSNR", "SSIM", "p0.png", "byte [0,255]");
    }

    @Test
    void badArgumentsAreClear() throws Exception {
        Path a = dir.resolve("a.png"), small = dir.resolve("s.png");
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 8, 8), a);
        Images.writePng(org.nd4j.linalg.factory.Nd4j.zeros(3, 4, 4), small);
        assertThat(run("metrics", a.toString(), a.toString(), "--lpips", "alex")).isEqualTo(2);
        assertThat(err.toString()).contains("--lpips-weights");
        assertThat(run("metrics", a.toString(), dir.toString())).isEqualTo(2);
        assertThat(run("metrics", a.toString(), small.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("sizes differ");
        assertThat(run("convert-lpips", "--net", "resnet", "--backbone", a.toString(), "--lin", a.toString(), dir.resolve("x").toString())).isEqualTo(2);
    }
}
