package io.stylegan2.cli;

import io.stylegan2.inversion.subspace.Subspaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code subspaces} on the embedded model: a short run writes a file whose labels cover the channels, and reports both errors. */
class SubspacesCommandTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void writesTheMatrixAndLabelsAndReportsTheHeldOutErrors() throws Exception {
        Path out = dir.resolve("sub.safetensors");
        assertThat(cli.run("subspaces", "--block", "b8", "--steps", "20", "--clusters", "3", "--dim", "4", out.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("b8: 64 channels in 3 subspaces, sizes \\[\\d+, \\d+, \\d+\\]; held-out self-expression error \\d\\.\\d{4} \\(shuffled matrix \\d\\.\\d{4}");
        Subspaces s = Subspaces.load(out);
        assertThat(s.block()).isEqualTo("b8");
        assertThat(s.labels()).hasSize(64);
        assertThat(s.settings()).containsKeys("heldout_error", "heldout_error_shuffled", "self_expressive", "clustering");

        assertThat(cli.run("subspaces", "--block", "b32", out.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("b4 .. b16");
        assertThat(cli.run("subspaces", "--clusters", "12", "--dim", "6", "--steps", "1", out.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("exceeds the 64 channels");
    }
}
