package io.stylegan2.core.engine;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.engine.EngineOptions.ModConvPath;
import io.stylegan2.core.engine.EngineOptions.Upfirdn2dPath;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The installed engine of this test JVM (installed lazily by whichever test ran first, from the
 * system properties Surefire passes: none of the engine's, so the defaults).
 */
class EngineTest {
    @Test
    void installIsIdempotentForEqualOptionsAndFailsForOthers() {
        Engine e = Engine.get();
        assertThat(Engine.get()).isSameAs(e);
        assertThat(Engine.install(e.options())).isSameAs(e);
        EngineOptions other = e.options().withUpfirdn2d(e.options().upfirdn2d() == Upfirdn2dPath.REFERENCE ? Upfirdn2dPath.AUTO : Upfirdn2dPath.REFERENCE);
        assertThatThrownBy(() -> Engine.install(other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already installed").hasMessageContaining("upfirdn2d=");
        assertThat(Engine.get()).isSameAs(e);
        assertThat(Engine.get().options()).isEqualTo(e.options());
    }

    @Test
    void concurrentInstallsGiveOneEngine() throws Exception {
        EngineOptions o = Engine.get().options();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Engine>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                boolean explicit = i % 2 == 0;
                tasks.add(() -> {
                    start.await();
                    return explicit ? Engine.install(o) : Engine.get();
                });
            }
            List<Future<Engine>> fs = new ArrayList<>();
            for (Callable<Engine> t : tasks) fs.add(pool.submit(t));
            start.countDown();
            for (Future<Engine> f : fs) assertThat(f.get()).isSameAs(Engine.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** On the CPU backend the tests run with every patch in place. */
    @Test
    void everyPatchIsInPlaceOnCpu() {
        EngineOptions o = Engine.get().options();
        assumeThat(o.javaKernels() && o.filterStdout()).as("run with the default javaKernels and filterStdout").isTrue();
        Engine.Patches p = Engine.get().patches();
        assertThat(p).isEqualTo(new Engine.Patches(true, true, true, true, true, true, true));
    }

    @Test
    void scopedOverrideRestoresThePreviousOptions() {
        EngineOptions before = Engine.current();
        EngineOptions inner = Engine.with(o -> o.withUpfirdn2d(Upfirdn2dPath.REFERENCE).withStepMemory(false).withGcEvery(3), () -> {
            assertThat(Engine.current().upfirdn2d()).isEqualTo(Upfirdn2dPath.REFERENCE);
            assertThat(StepMemory.enabled()).isFalse();
            assertThat(MemoryPolicy.gcEvery()).isEqualTo(3);
            // nested: changes on top of the enclosing scope, restored to it after
            Engine.with(o -> o.withModconv(ModConvPath.FUSED), () -> {
                assertThat(Engine.current().modconv()).isEqualTo(ModConvPath.FUSED);
                assertThat(Engine.current().upfirdn2d()).isEqualTo(Upfirdn2dPath.REFERENCE);
            });
            assertThat(Engine.current().modconv()).isEqualTo(before.modconv());
            // the process-wide options are untouched, and other threads do not see the override
            assertThat(Engine.get().options()).isEqualTo(before);
            AtomicReference<EngineOptions> seen = new AtomicReference<>();
            Thread t = new Thread(() -> seen.set(Engine.current()));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(seen.get()).isEqualTo(before);
            return Engine.current();
        });
        assertThat(inner.gcEvery()).isEqualTo(3);
        assertThat(Engine.current()).isEqualTo(before);
    }

    @Test
    void scopedOverrideRestoresAfterAnException() {
        EngineOptions before = Engine.current();
        assertThatThrownBy(() -> Engine.with(o -> o.withUpfirdn2d(Upfirdn2dPath.CONV), () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(Engine.current()).isEqualTo(before);
    }

    @Test
    void scopedOverrideCannotChangeWhatIsInstalled() {
        EngineOptions before = Engine.current();
        assertThatThrownBy(() -> Engine.with(o -> o.withJavaKernels(!o.javaKernels()), () -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("javaKernels");
        assertThatThrownBy(() -> Engine.update(o -> o.withFilterStdout(!o.filterStdout())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("filterStdout");
        assertThat(Engine.current()).isEqualTo(before);
    }

    @Test
    void updateChangesTheProcessWideOptions() {
        EngineOptions before = Engine.get().options();
        try {
            MemoryPolicy.setGcEvery(before.gcEvery() + 1);
            assertThat(Engine.get().options()).isEqualTo(before.withGcEvery(before.gcEvery() + 1));
            assertThat(Engine.install(before.withGcEvery(before.gcEvery() + 1))).isSameAs(Engine.get());
            // a scoped override wins over the process-wide settings on its thread
            Engine.with(o -> o.withGcEvery(0), () -> assertThat(MemoryPolicy.gcEvery()).isZero());
        } finally {
            Engine.update(o -> before);
        }
        assertThat(Engine.get().options()).isEqualTo(before);
    }

    /** The stdout filter drops SameDiff's gradient chatter and nothing else (installed on a fresh stream here). */
    @Test
    void stdoutFilterDropsOnlyGradientChatter() {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            StdoutFilter.install();
            PrintStream filtered = System.out;
            StdoutFilter.install(); // idempotent
            assertThat(System.out).isSameAs(filtered);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 2, 3));
            sd.setLossVariables(sd.sum(sd.math().square(x)));
            sd.calculateGradients(Collections.emptyMap(), "x");
            System.out.println(StdoutFilter.NOISE_PREFIX + " fake");
            System.out.println("kept line");
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("Added differentiated op").contains("kept line");
    }
}
