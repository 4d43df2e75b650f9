package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FlopsTest {
    @Test
    void tinyConfigByHand() {
        // z = w = 4, 2 mapping layers, 8x8 RGB, channels {4: 2, 8: 1}
        GeneratorConfig cfg = new GeneratorConfig(4, 4, 2, 0.01, 8, 3, Map.of(4, 2, 8, 1), null, null, "skip");
        Flops.Breakdown b = Flops.generator(cfg);
        assertThat(b.mapping()).isEqualTo(4 * 4 + 4 * 4);                         // 32
        assertThat(b.affine()).isEqualTo(4 * 2 + 4 * 2 + 4 * 2 + 4 * 1 + 4 * 1);  // 32
        assertThat(b.modulation()).isEqualTo(3 * 2 * 2 * 9 + 3 * 2 + 3 * 1 * 2 * 9 + 3 * 1 * 1 * 9 + 3 * 1); // 198
        assertThat(b.conv()).isEqualTo(2 * 2 * 9 * 16 + 1 * 2 * 9 * 16 + 1 * 1 * 9 * 64);                // 1440 (up conv at input res)
        assertThat(b.toRgb()).isEqualTo(3 * 2 * 16 + 3 * 1 * 64);                                         // 288
        assertThat(b.fir()).isEqualTo(16 * 1 * 64 + 16 * 3 * 64);                                         // 4096
        assertThat(b.total()).isEqualTo(6086);
        assertThat(b.flops()).isEqualTo(12172);
        assertThat(Flops.generator(cfg, 3).total()).isEqualTo(3 * 6086);
        assertThat(b.synthesis()).isEqualTo(6086 - 32);
    }

    @Test
    void benchmarkConfigsAreValid() {
        assertThat(BenchmarkConfigs.fixture32().numWs()).isEqualTo(8);
        GeneratorConfig f = BenchmarkConfigs.paper256();
        assertThat(f.channels()).containsEntry(4, 512).containsEntry(32, 512).containsEntry(64, 256).containsEntry(256, 64);
        // conv dominates at 256^2
        Flops.Breakdown b = Flops.generator(f);
        assertThat(b.conv()).isGreaterThan(b.total() / 2);
    }

    @Test
    void kernelsByHand() {
        // 2 -> 3 channels, 3x3, 4x4 image, batch 2: conv 2*3*2*9*16, modulation 2*3*(3*2*9)
        assertThat(Flops.modulatedConv(2, 2, 3, 3, 4, true)).isEqualTo(2L * 3 * 2 * 9 * 16 + 2L * 3 * 3 * 2 * 9);
        assertThat(Flops.modulatedConv(2, 2, 3, 3, 4, false)).isEqualTo(2L * 3 * 2 * 9 * 16 + 2L * 3 * 2 * 9);
        // up: transposed conv at the input resolution 4, FIR at 8; down: FIR at 4, conv at 2
        assertThat(Flops.conv2dResampleUp(1, 2, 3, 3, 4)).isEqualTo(2L * 3 * 9 * 16 + 16L * 3 * 64);
        assertThat(Flops.conv2dResampleDown(1, 2, 3, 3, 4)).isEqualTo(16L * 2 * 16 + 2L * 3 * 9 * 4);
        assertThat(Flops.gemm(2, 3, 4)).isEqualTo(24);
    }

    @Test
    void discriminatorByHand() {
        // 8x8 RGB, channels {4: 2, 8: 1}
        DiscriminatorConfig cfg = new DiscriminatorConfig(8, 3, Map.of(4, 2, 8, 1), 4, 1, null, null, "resnet");
        long fromrgb = 3 * 1 * 64;
        long block8 = 1 * 1 * 9 * 64 + (16 * 1 * 64 + 1 * 2 * 9 * 16) + (16 * 1 * 16 + 1 * 2 * 16);
        long epilogue = 3 * 2 * 9 * 16 + 16 * 2 * 2 + 2;
        assertThat(Flops.discriminator(cfg)).isEqualTo(fromrgb + block8 + epilogue);
    }

    @Test
    void vggTrunk() {
        // conv1_1 alone at 16 px would be 3*64*9*256; the whole trunk at 16 px by stage
        long expected = (3 * 64 + 64 * 64) * 9L * 256 + (64 * 128 + 128 * 128) * 9L * 64 + (128 * 256 + 2 * 256 * 256) * 9L * 16
                + (256 * 512 + 2 * 512 * 512) * 9L * 4 + 3 * 512 * 512 * 9L;
        assertThat(Flops.vgg16Features(16)).isEqualTo(expected);
    }
}
