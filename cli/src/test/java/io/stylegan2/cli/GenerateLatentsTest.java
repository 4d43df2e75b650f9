package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.InversionResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code generate --save-w}, and {@code --w} reading NVIDIA's projected_w.npz and single W+ codes as one image. */
class GenerateLatentsTest {
    @TempDir Path dir;
    CliHarness cli = new CliHarness();

    @Test
    void savedWPlusCodesAndProjectedWFilesDrawTheSameImages() throws Exception {
        Path a = dir.resolve("a");
        assertThat(cli.run("generate", "--seeds", "3-4", "--truncation", "0.7", "--save-w", "--out", a.toString())).as(cli.err()).isZero();
        INDArray w3 = Npy.read(a.resolve("seed0003_w.npy"));
        assertThat(w3.shape()).hasSize(2);
        int numWs = (int) w3.size(0);

        // one [num_ws, w_dim] code is one image, the same as the seed's
        Path b = dir.resolve("b");
        assertThat(cli.run("generate", "--w", a.resolve("seed0003_w.npy").toString(), "--out", b.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("one W+ code").contains("wrote 1 image ");
        assertThat(Images.read(b.resolve("img0000.png"), 3)).isEqualTo(Images.read(a.resolve("seed0003.png"), 3));

        // NVIDIA's projected_w.npz ([1, num_ws, w_dim] under 'w')
        Path npz = dir.resolve("projected_w.npz"), c = dir.resolve("c");
        InversionResults.writeProjectedWNpz(w3.reshape(1, numWs, w3.size(1)), npz);
        assertThat(cli.run("generate", "--w", npz.toString(), "--out", c.toString())).as(cli.err()).isZero();
        assertThat(Images.read(c.resolve("img0000.png"), 3)).isEqualTo(Images.read(a.resolve("seed0003.png"), 3));
        assertThat(Files.exists(c.resolve("img0001.png"))).isFalse();

        // [N, w_dim] rows are still N w latents
        Path rows = dir.resolve("rows.npy"), d = dir.resolve("d");
        Npy.writeFloat32(rows, w3.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
        assertThat(cli.run("generate", "--w", rows.toString(), "--out", d.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("wrote 2 images");

        // an .npz without a 'w' entry and with several arrays is refused with its entries named
        Path bad = dir.resolve("bad.npz");
        InversionResults.writeNpz(bad, Map.of("x", w3, "y", w3));
        assertThat(cli.run("generate", "--w", bad.toString(), "--out", dir.resolve("e").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("'w' entry");
    }
}
