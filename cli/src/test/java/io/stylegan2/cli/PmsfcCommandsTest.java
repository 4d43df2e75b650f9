package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.testing.FashionMnistSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The PmSFC workflow on the command line: subspaces, invert --method pmsfc on two garments, subspace-swap. */
class PmsfcCommandsTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void subspacesThenPmsfcInversionThenSwaps() throws Exception {
        Path sub = dir.resolve("sub.safetensors");
        assertThat(cli.run("subspaces", "--steps", "10", "--clusters", "3", "--dim", "4", sub.toString())).as(cli.err()).isZero();
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png");
        Images.writePng(FashionMnistSamples.padded(5, 3), a);
        Images.writePng(FashionMnistSamples.padded(6, 3), b);
        Path inv = dir.resolve("inv");
        assertThat(cli.run("invert", "--method", "pmsfc", "--option", "subspaces=" + sub, "--steps", "10", a.toString(), b.toString(), "--out", inv.toString()))
                .as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("a: pmsfc 10 steps").contains("4 codes composed at b16");
        Path swap = dir.resolve("swap");
        assertThat(cli.run("subspace-swap", inv.resolve("a").toString(), inv.resolve("b").toString(), "--out", swap.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("3 subspaces");
        for (String f : new String[]{"swap_0.png", "swap_1.png", "swap_2.png", "swap.png"}) assertThat(swap.resolve(f)).isRegularFile();
        assertThat(cli.run("subspace-swap", inv.resolve("a").toString(), dir.resolve("none").toString(), "--out", swap.toString())).isEqualTo(2);
    }
}
