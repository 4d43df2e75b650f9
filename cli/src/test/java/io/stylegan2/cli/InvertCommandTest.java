package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.converter.TorchFiles;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code invert} end to end on the embedded default model and an image it generated. */
class InvertCommandTest {
    @TempDir Path dir;
    final CliHarness cli = CliHarness.real();
    final java.io.StringWriter out = cli.out, err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void invertsAGeneratedImageAndWritesEveryFile() throws Exception {
        Path img = dir.resolve("seed5.png");
        try (InputStream in = StyleGan2Cli.class.getResourceAsStream(StyleGan2Cli.DEFAULT_MODEL_RESOURCE);
             Generator g = Generator.load(in, "default")) {
            INDArray x = g.synthesis(g.mapping(Seeds.z(new long[]{5}, g.config().zDim()), 0.7, -1), NoiseMode.CONST, 0);
            Images.writePng(x, img);
        }
        Path broken = dir.resolve("broken.png");
        Files.writeString(broken, "not an image");
        Path o = dir.resolve("out");

        int rc = run("invert", "--method", "wplus", "--steps", "5", img.toString(), broken.toString(), "--out", o.toString());
        assertThat(rc).as(out + "\n" + err).isEqualTo(1);                // the broken file fails, the other is done
        assertThat(err.toString()).contains("error: broken");
        assertThat(out.toString()).contains("seed5: wplus 5 steps").contains("inverted 1 of 2 images");

        Path d = o.resolve("seed5");
        for (String f : new String[]{"reconstruction.png", "comparison.png", "result.safetensors", "projected_w.npz", "latent.npy", "projected_rosinality.pt", "metrics.json", "loss.png"})
            assertThat(d.resolve(f)).as(f).isRegularFile();
        InversionResult r = InversionResults.load(d.resolve("result.safetensors"));
        assertThat(r.method()).isEqualTo("wplus");
        assertThat(r.space()).isEqualTo(LatentSpace.W_PLUS);
        assertThat(r.history()).hasSize(5);
        assertThat(r.finalLoss("mse")).isLessThan(r.history().get(0).get("mse"));
        INDArray w = InversionResults.readNpz(d.resolve("projected_w.npz")).get("w");
        assertThat(w.shape()).containsExactly(r.ws().shape());
        assertThat(Npy.read(d.resolve("latent.npy")).shape()).containsExactly(r.ws().size(1), r.ws().size(2));
        java.util.Map<?, ?> pt = (java.util.Map<?, ?>) TorchFiles.load(d.resolve("projected_rosinality.pt"));
        assertThat(pt.keySet().stream().map(String::valueOf).toList()).containsExactly("seed5");
        java.util.Map<?, ?> e = (java.util.Map<?, ?>) pt.get("seed5");
        assertThat(((INDArray) e.get("latent")).equals(r.latentRows())).isTrue();
        INDArray recon = r.reconstruction();
        assertThat(((INDArray) e.get("img")).equals(recon.reshape(recon.size(1), recon.size(2), recon.size(3)))).isTrue();
        assertThat((java.util.List<?>) e.get("noise")).isEmpty();                // wplus keeps no noise maps
        JsonNode m = new ObjectMapper().readTree(d.resolve("metrics.json").toFile());
        assertThat(m.get("mse").asDouble()).isEqualTo(r.metrics().mse());
        assertThat(m.get("psnr").asDouble()).isPositive();
        assertThat(m.has("ssim")).isTrue();
        assertThat(m.has("lpips")).isFalse();
        assertThat(m.get("steps").asInt()).isEqualTo(5);
        BufferedImage cmp = ImageIO.read(d.resolve("comparison.png").toFile());
        assertThat(cmp.getWidth()).isEqualTo(3 * cmp.getHeight());
        assertThat(ImageIO.read(d.resolve("loss.png").toFile()).getWidth()).isEqualTo(640);
    }

    @Test
    void nearPerfectStartsFromASavedRunAndWritesTheDriftReport() throws Exception {
        Path img = dir.resolve("seed9.png");
        try (InputStream in = StyleGan2Cli.class.getResourceAsStream(StyleGan2Cli.DEFAULT_MODEL_RESOURCE);
             Generator g = Generator.load(in, "default")) {
            Images.writePng(g.synthesis(g.mapping(Seeds.z(new long[]{9}, g.config().zDim()), 0.7, -1), NoiseMode.CONST, 0), img);
        }
        Path first = dir.resolve("wplus"), o = dir.resolve("np");
        assertThat(run("invert", "--method", "wplus", "--steps", "4", img.toString(), "--out", first.toString())).as(out + "\n" + err).isZero();
        int rc = run("invert", "--method", "near-perfect", "--steps", "3", "--option", "init=" + first, "--option", "samples=2",
                "--option", "report-samples=8", img.toString(), "--out", o.toString());
        assertThat(rc).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("seed9: near-perfect 3 steps").contains("initial latent (wplus)").contains("drift report on 8 latents");

        Path d = o.resolve("seed9");
        for (String f : new String[]{"reconstruction.png", "comparison.png", "result.safetensors", "projected_w.npz", "latent.npy", "metrics.json", "loss.png", "drift.json"})
            assertThat(d.resolve(f)).as(f).isRegularFile();
        InversionResult r = InversionResults.load(d.resolve("result.safetensors"));
        InversionResult start = InversionResults.load(first.resolve("seed9").resolve("result.safetensors"));
        assertThat(r.method()).isEqualTo("near-perfect");
        assertThat(r.ws().equals(start.ws())).isTrue();                                   // the latent stays fixed
        assertThat(r.extras().keySet()).anyMatch(k -> k.startsWith("delta/synthesis."));
        assertThat(r.history()).hasSize(4);
        assertThat(r.history().get(0)).containsKeys("laplacian", "mse", "adv_local", "global", "d_loss", "r1");
        JsonNode drift = new ObjectMapper().readTree(d.resolve("drift.json").toFile());
        for (String k : new String[]{"drift_mse", "fd_discriminator", "d_logit_reconstruction", "d_logit_target", "d_logit_samples_original", "d_logit_samples_tuned"})
            assertThat(drift.has(k)).as(k).isTrue();
        assertThat(drift.get("drift_mse").asDouble()).isPositive();
        JsonNode m = new ObjectMapper().readTree(d.resolve("metrics.json").toFile());
        assertThat(m.get("drift_report").get("fd_discriminator").asDouble()).isEqualTo(drift.get("fd_discriminator").asDouble());

        assertThat(run("invert", "--method", "near-perfect", "--option", "lamda=1", img.toString(), "--out", o.toString())).isNotZero();
        assertThat(err.toString()).contains("unknown option 'lamda'");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("invert", "--method", "nope", "x.png", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--method must be one of w, wplus");
        assertThat(run("invert", "--steps", "0", "x.png", "--out", dir.toString())).isEqualTo(2);
        assertThat(run("invert", "--lpips-weights", dir.resolve("none.safetensors").toString(), "x.png", "--out", dir.toString())).isEqualTo(2);
    }
}
