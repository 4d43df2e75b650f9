package io.stylegan2.inversion;

import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SavedResult}: a result file for every target, or an {@code invert --out} folder by target name; clear errors. */
class SavedResultTest {
    @Test
    void readsAFileOrAFolderByTargetName(@TempDir Path dir) throws Exception {
        var g = FixtureModel.generator();
        Target t = FixtureModel.target("seed3", 3, 0.7);
        InversionResult r = new WPlusProjector(g, WPlusConfig.defaults().withSteps(2)).invert(t);
        Path folder = dir.resolve("out");
        Files.createDirectories(folder.resolve("seed3"));
        InversionResults.save(r, folder.resolve("seed3").resolve("result.safetensors"));

        SavedResult byFolder = new SavedResult(folder, g.config().numWs(), g.config().wDim());
        assertThat(byFolder.invertOne(t, null, null).ws().equals(r.ws())).isTrue();
        SavedResult byFile = new SavedResult(folder.resolve("seed3").resolve("result.safetensors"), g.config().numWs(), g.config().wDim());
        assertThat(byFile.invertOne(FixtureModel.target("other", 4, 0.7), null, null).ws().equals(r.ws())).isTrue();

        assertThatThrownBy(() -> byFolder.invertOne(FixtureModel.target("missing", 4, 0.7), null, null))
                .hasMessageContaining("missing").hasMessageContaining("result.safetensors");
        assertThatThrownBy(() -> new SavedResult(folder, g.config().numWs() + 1, g.config().wDim()).invertOne(t, null, null))
                .hasMessageContaining("does not fit this generator");
        assertThatThrownBy(() -> new SavedResult(dir.resolve("nope"), 8, 64)).hasMessageContaining("no such file or folder");
    }
}
