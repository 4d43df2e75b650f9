package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Temporary files a killed writer left are removed by the next write of the same target; fresh ones (another writer's) are kept. */
class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void staleTemporaryFilesOfTheTargetAreRemovedByTheNextWrite() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Path stale = dir.resolve(".model.safetensors.123.tmp"), fresh = dir.resolve(".model.safetensors.456.tmp"), other = dir.resolve(".other.bin.789.tmp");
        for (Path p : new Path[]{stale, fresh, other}) Files.write(p, new byte[1024]);
        FileTime old = FileTime.from(Instant.now().minus(AtomicFiles.STALE_MINUTES + 5, ChronoUnit.MINUTES));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(other, old);

        AtomicFiles.write(target, new byte[]{1, 2, 3});
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();                 // possibly another process still writing
        assertThat(other).exists();                 // another target's
    }
}
