package io.stylegan2.cli;

import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI in its own JVM, as users run it (the logging configuration is read once per process):
 * ND4J's start-up warnings about its TF import table are not shown, and {@code convert} reports
 * the written file once.
 */
class QuietLogsTest {
    @Test
    void convertPrintsOneResultLineAndNoImportTableWarnings(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors"), out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), StyleGan2Cli.class.getName(),
                "convert", Fixtures.path("nvlabs/nv_s32_c64").toString(), model.toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String stdout = Files.readString(out, StandardCharsets.UTF_8), stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(stderr).doesNotContain("ImportClassMapping");
        assertThat((stdout + stderr).split("wrote", -1).length - 1).as(stdout + stderr).isEqualTo(1);
    }
}
