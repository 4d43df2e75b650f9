package io.stylegan2.converter;

import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TorchFiles} on the real fixtures (zip and legacy torch.save). */
class TorchFilesTest {
    @TempDir Path tmp;

    @Test
    void loadsZipCheckpoint() throws IOException {
        Path f = Fixtures.path("rosinality/ros_s32_c64/checkpoint.pt");
        assertThat(TorchFiles.detect(f)).isEqualTo(TorchFiles.Format.TORCH_ZIP);
        Map<?, ?> ck = (Map<?, ?>) TorchFiles.load(f);
        assertThat(TorchFiles.keys(ck)).containsExactly("g_ema", "d", "latent_avg");
        Map<?, ?> g = (Map<?, ?>) ck.get("g_ema");
        INDArray w = (INDArray) g.get("conv1.conv.weight");
        assertThat(w.shape()).containsExactly(1, 64, 64, 3, 3);
        assertThat(w.dataType()).isEqualTo(DataType.FLOAT);
        INDArray avg = (INDArray) ck.get("latent_avg");
        INDArray expected = Npy.read(Fixtures.path("rosinality/ros_s32_c64/latent_avg.npy"));
        assertThat(avg.equals(expected)).isTrue();
        INDArray n0 = (INDArray) g.get("noises.noise_0");
        assertThat(n0.equals(Npy.read(Fixtures.path("rosinality/ros_s32_c64/noise_00.npy")))).isTrue();
    }

    @Test
    void loadsLegacyLpipsWeightsExactly() throws IOException {
        for (String net : new String[]{"alex", "vgg", "squeeze"}) {
            Path f = Fixtures.path("lpips/" + net + ".pth");
            assertThat(TorchFiles.detect(f)).isEqualTo(TorchFiles.Format.TORCH_LEGACY);
            Map<?, ?> sd = (Map<?, ?>) TorchFiles.load(f);
            int n = net.equals("squeeze") ? 7 : 5;
            assertThat(sd).hasSize(n);
            for (int k = 0; k < n; k++) {
                INDArray a = (INDArray) sd.get("lin" + k + ".model.1.weight");
                INDArray e = Npy.read(Fixtures.path("lpips/lin_" + net + "_lin" + k + ".npy"));
                assertThat(a.shape()).as(net + k).isEqualTo(e.shape());
                assertThat(a.equals(e)).as(net + k).isTrue();
            }
        }
    }

    @Test
    void loadsTorchvisionBackbone() throws IOException {
        Map<?, ?> sd = (Map<?, ?>) TorchFiles.load(Fixtures.path("lpips/backbone_alexnet_features.pt"));
        assertThat(((INDArray) sd.get("features.0.weight")).shape()).containsExactly(64, 3, 11, 11);
        Map<?, ?> sq = (Map<?, ?>) TorchFiles.load(Fixtures.path("lpips/backbone_squeezenet1_1_features.pt"));
        assertThat(sq.containsKey("features.12.expand3x3.bias")).isTrue();
    }

    @Test
    void truncatedFilesGiveClearErrors() throws IOException {
        for (String rel : new String[]{"rosinality/ros_s16_c48/checkpoint.pt", "lpips/alex.pth"}) {
            byte[] b = Files.readAllBytes(Fixtures.path(rel));
            Path cut = tmp.resolve("cut_" + Path.of(rel).getFileName());
            Files.write(cut, Arrays.copyOf(b, b.length * 2 / 3));
            assertThatThrownBy(() -> TorchFiles.load(cut)).isInstanceOf(IOException.class).hasMessageContaining(cut.toString());
        }
    }
}
