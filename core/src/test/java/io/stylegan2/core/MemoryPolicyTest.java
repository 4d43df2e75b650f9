package io.stylegan2.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryPolicyTest {
    @Test
    void collectsEveryKSteps() {
        int old = MemoryPolicy.gcEvery();
        try {
            MemoryPolicy.setGcEvery(3);
            int gcs = 0;
            for (int i = 0; i < 9; i++) if (MemoryPolicy.step()) gcs++;
            assertThat(gcs).isEqualTo(3);
            MemoryPolicy.setGcEvery(0);
            for (int i = 0; i < 9; i++) assertThat(MemoryPolicy.step()).isFalse();
        } finally {
            MemoryPolicy.setGcEvery(old);
        }
    }

    @Test
    void readsRss() {
        assertThat(MemoryPolicy.parseKb("    123456 kB")).isEqualTo(123456);
        if (System.getProperty("os.name").toLowerCase().contains("linux"))
            assertThat(MemoryPolicy.rssBytes()).isGreaterThan(1 << 20);
        if (System.getProperty("os.name").toLowerCase().contains("linux"))
            assertThat(MemoryPolicy.peakRssBytes()).isGreaterThanOrEqualTo(MemoryPolicy.rssBytes() - (1 << 20));
    }
}
