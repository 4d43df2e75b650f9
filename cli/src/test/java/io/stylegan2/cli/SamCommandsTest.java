package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.testing.FashionMnistSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** SAM on the command line: train-invertibility (and its continuation), invert --method sam with a tau sweep, edit of the result. */
class SamCommandsTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void trainInvertibilityThenSamInversionThenEdit() throws Exception {
        Path imgs = Files.createDirectories(dir.resolve("train"));
        for (int i = 0; i < 4; i++) Images.writePng(FashionMnistSamples.padded(200 + i, 3), imgs.resolve("g" + i + ".png"));
        Path net = dir.resolve("net");
        assertThat(cli.run("train-invertibility", "--real-images", imgs.toString(), "--count", "4", "--held-out", "1", "--inversion-steps", "3",
                "--chunk", "2", "--steps", "6", "--batch", "2", "--checkpoint-every", "3", "--out", net.toString())).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("spaces [W+, b8, b16]").contains("local-rmse-r2").contains("held-out images 3..3").contains("wrote");
        assertThat(net.resolve("targets.safetensors")).isRegularFile();
        assertThat(net.resolve("checkpoint-000003.safetensors")).isRegularFile();
        Path file = net.resolve("invertibility.safetensors");
        assertThat(Safetensors.readHeader(file).metadata()).containsKey("generator");
        // a second run reuses the inversions and continues the regression from a checkpoint
        assertThat(cli.run("train-invertibility", "--real-images", imgs.toString(), "--count", "4", "--held-out", "1", "--inversion-steps", "3",
                "--chunk", "2", "--steps", "8", "--batch", "2", "--resume", net.resolve("checkpoint-000006.safetensors").toString(), "--out", net.toString()))
                .as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("resumed at step 6");
        // inversion data of other settings is refused, not overwritten
        assertThat(cli.run("train-invertibility", "--real-images", imgs.toString(), "--count", "4", "--held-out", "1", "--inversion-steps", "4", "--out", net.toString())).isNotZero();
        assertThat(cli.err()).contains("targets.safetensors").contains("other images or settings");

        // with LPIPS weights the maps are LPIPS's spatial maps (and the loss has the LPIPS term)
        Path weights = dir.resolve("lpips-alex.safetensors");
        assertThat(cli.run("convert-lpips", "--net", "alex", "--backbone", io.stylegan2.core.testing.Fixtures.path("lpips/backbone_alexnet_features.pt").toString(),
                "--lin", io.stylegan2.core.testing.Fixtures.path("lpips/alex.pth").toString(), weights.toString())).as(cli.err()).isZero();
        assertThat(cli.run("train-invertibility", "--real-images", imgs.toString(), "--count", "2", "--held-out", "0", "--inversion-steps", "2", "--steps", "2",
                "--batch", "2", "--lpips", "alex", "--lpips-weights", weights.toString(), "--out", dir.resolve("net-lpips").toString())).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("error maps lpips-alex").contains("default tau 0.225");

        Path a = dir.resolve("a.png");
        Images.writePng(FashionMnistSamples.padded(7, 3), a);
        Path inv = dir.resolve("inv");
        assertThat(cli.run("invert", "--method", "sam", "--option", "invertibility=" + file, "--option", "init-steps=3", "--option", "tau-sweep=-1,1e9",
                "--steps", "3", a.toString(), "--out", inv.toString())).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("a: sam 3 steps").contains("pixels per space");
        String metrics = Files.readString(inv.resolve("a").resolve("metrics.json"));
        assertThat(metrics).contains("tau_sweep").contains("fractions");
        assertThat(inv.resolve("a").resolve("sam_spaces.png")).isRegularFile();
        // the shipped network serves the embedded model without the option
        Path inv2 = dir.resolve("inv2");
        assertThat(cli.run("invert", "--method", "sam", "--option", "init-steps=2", "--steps", "2", a.toString(), "--out", inv2.toString()))
                .as(cli.out() + cli.err()).isZero();
        Path dirs = dir.resolve("dirs.safetensors");
        assertThat(cli.run("directions", "--method", "ganspace", "--num", "1", "--samples", "300", "--out", dirs.toString())).as(cli.err()).isZero();
        Path edit = dir.resolve("edit");
        assertThat(cli.run("edit", "--result", inv.resolve("a").resolve("result.safetensors").toString(), "--direction", dirs.toString(), "--strength", "-2,0,2", "--out", edit.toString()))
                .as(cli.out() + cli.err()).isZero();
        assertThat(edit.resolve("strip.png")).isRegularFile();
        // strength 0 redraws the reconstruction
        assertThat(Images.read(edit.resolve("edit_01.png"), 3)).isEqualTo(Images.read(inv.resolve("a").resolve("reconstruction.png"), 3));
    }
}
