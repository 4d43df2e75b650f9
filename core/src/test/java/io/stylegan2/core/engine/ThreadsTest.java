package io.stylegan2.core.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadsTest {
    @Test
    void freeCoresAreTheProcessorsMinusTheLoad() {
        assertThat(Threads.freeCores(2, 1.6)).isEqualTo(1);
        assertThat(Threads.freeCores(8, 0.2)).isEqualTo(8);
        assertThat(Threads.freeCores(2, 5.0)).isEqualTo(1);
        assertThat(Threads.freeCores(4, -1)).isEqualTo(4);
        assertThat(Threads.freeCores()).isBetween(1, Runtime.getRuntime().availableProcessors());
    }

    @Test
    void setChangesNd4jsThreadsAndRefusesZero() {
        int before = Threads.current();
        try {
            Threads.set(1);
            assertThat(Threads.current()).isEqualTo(1);
        } finally {
            Threads.set(before);
        }
        assertThatThrownBy(() -> Threads.set(0)).hasMessageContaining(">= 1");
    }
}
