package io.stylegan2.core.optim;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.FrameRecorder;
import io.stylegan2.core.Progress;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The shared loop on a one-variable quadratic {@code (x - t)^2} (t fed each step), against hand-computed Adam steps. */
class OptimisationLoopTest {

    /** {@code loss = (x - t)^2}, x a variable starting at 0, t a placeholder. */
    private record Quadratic(SameDiff sd, Objective objective, Adam adam) {
        static Quadratic create() {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.scalar(DataType.DOUBLE, 0.0));
            SDVariable t = sd.placeHolder("t", DataType.DOUBLE);
            SDVariable d = x.sub(t);
            SDVariable loss = d.mul(d).rename("total");
            sd.setLossVariables(loss);
            Objective o = new Objective() {
                @Override public String[] outputNames() { return new String[]{"total"}; }
                @Override public Map<String, Double> values(Map<String, INDArray> out) {
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put(TOTAL, out.get("total").getDouble(0));
                    return m;
                }
            };
            return new Quadratic(sd, o, new Adam(sd, List.of("x")));
        }

        double x() {
            return sd.getVariable("x").getArr().getDouble(0);
        }
    }

    private static Map<String, INDArray> target(double t) {
        return Map.of("t", Nd4j.scalar(DataType.DOUBLE, t));
    }

    @Test
    void eachStepIsOneEvaluationThenAnAdamUpdateAtTheScheduledRate() {
        Quadratic q = Quadratic.create();
        List<Long> progress = new ArrayList<>();
        Progress p = new Progress() {
            @Override public void start(String task, long total) { assertThat(total).isEqualTo(3); }
            @Override public void update(long done, Map<String, Double> values) { progress.add(done); }
            @Override public void end() {}
        };
        OptimisationLoop.Result r = OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).task("quad").steps(3)
                .schedule(new Schedule.Cosine(0.1, 0.0, 3)).feed(i -> target(1.0)).run(p, null);
        assertThat(r.steps()).isEqualTo(3);
        assertThat(r.history()).hasSize(3);
        assertThat(r.last()).isNull();
        assertThat(progress).containsExactly(1L, 2L, 3L);
        // Adam's first steps move x by about lr in the gradient's sign: x = 0.1 + 0.075 + 0.025 (cosine rates)
        double[] rates = {0.1, 0.075, 0.025};
        double x = 0, m = 0, v = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(r.history().get(i).get(Objective.TOTAL)).isCloseTo((x - 1) * (x - 1), within(1e-12));
            assertThat(r.history().get(i).get(OptimisationLoop.LR)).isCloseTo(rates[i], within(1e-12));
            double g = 2 * (x - 1);
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            x -= rates[i] * (m / (1 - Math.pow(0.9, i + 1))) / (Math.sqrt(v / (1 - Math.pow(0.999, i + 1))) + 1e-8);
        }
        assertThat(q.x()).isCloseTo(x, within(1e-12));
    }

    @Test
    void aStopRuleEndsBeforeTheUpdateAndAFinalEvaluationFollowsTheLastStep() {
        Quadratic q = Quadratic.create();
        OptimisationLoop.Result stopped = OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).steps(50).schedule(Schedule.constant(0.1))
                .stopWhen(OptimisationLoop.StopRule.atMost(Objective.TOTAL, 0.5)).finalEvaluation(true).feed(i -> target(1.0)).run(null, null);
        assertThat(stopped.stoppedEarly()).isTrue();
        int n = stopped.history().size();
        assertThat(stopped.steps()).isEqualTo(n - 1);                       // the stopping evaluation made no update
        assertThat(stopped.history().get(n - 1)).doesNotContainKey(OptimisationLoop.LR);
        assertThat(stopped.lastValue(Objective.TOTAL)).isLessThanOrEqualTo(0.5);
        assertThat(stopped.history().get(n - 2).get(Objective.TOTAL)).isGreaterThan(0.5);
        assertThat(stopped.last().values().get(Objective.TOTAL)).isEqualTo(stopped.lastValue(Objective.TOTAL));
        assertThat(stopped.last().outputs().get("total").getDouble(0)).isCloseTo((q.x() - 1) * (q.x() - 1), within(1e-12));

        Quadratic q2 = Quadratic.create();
        OptimisationLoop.Result full = OptimisationLoop.graph(q2.sd(), q2.objective(), q2.adam()).steps(4).schedule(Schedule.constant(0.1))
                .finalEvaluation(true).feed(i -> target(1.0)).run(null, null);
        assertThat(full.stoppedEarly()).isFalse();
        assertThat(full.history()).hasSize(5);
        assertThat(full.steps()).isEqualTo(4);
        assertThat(full.lastValue(Objective.TOTAL)).isCloseTo((q2.x() - 1) * (q2.x() - 1), within(1e-12));   // at the final weights
        assertThat(OptimisationLoop.StopRule.atMost("total", 0)).isSameAs(OptimisationLoop.StopRule.NEVER);
    }

    @Test
    void afterUpdateActionsRunInOrderAndTheirValuesJoinTheHistory() {
        Quadratic q = Quadratic.create();
        List<String> calls = new ArrayList<>();
        OptimisationLoop.Result r = OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).steps(2).schedule(Schedule.constant(0.1))
                .feed(i -> target(1.0))
                .afterUpdate((i, e) -> { calls.add("a" + i); return Map.of("extra", (double) i); })
                .afterUpdate((i, e) -> { calls.add("b" + i); assertThat(e.gradients()).containsKey("x"); return null; })
                .run(null, null);
        assertThat(calls).containsExactly("a0", "b0", "a1", "b1");
        assertThat(r.history().get(1)).containsEntry("extra", 1.0).containsKeys(Objective.TOTAL, OptimisationLoop.LR);
    }

    @Test
    void cancellationNonFiniteValuesAndResumedRuns() {
        Quadratic q = Quadratic.create();
        CancellationToken cancel = new CancellationToken();
        int[] cancelledAt = {-1};
        Progress cancelAfterTwo = new Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) { if (done == 2) cancel.cancel(); }
            @Override public void end() {}
        };
        assertThatThrownBy(() -> OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).task("quad").steps(10).schedule(Schedule.constant(0.1))
                .feed(i -> target(1.0)).onCancel(i -> cancelledAt[0] = i).run(cancelAfterTwo, cancel))
                .isInstanceOf(CancellationException.class).hasMessage("quad cancelled after 2 steps");
        assertThat(cancelledAt[0]).isEqualTo(2);

        Quadratic q2 = Quadratic.create();
        assertThatThrownBy(() -> OptimisationLoop.graph(q2.sd(), q2.objective(), q2.adam()).task("quad").steps(3).schedule(Schedule.constant(0.1))
                .feed(i -> target(i == 1 ? Double.NaN : 1.0)).run(null, null))
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("quad: total is NaN at step 1");

        // a custom loop resumed at step 2 of 5 runs steps 2, 3, 4
        List<Integer> seen = new ArrayList<>();
        OptimisationLoop.Result r = OptimisationLoop.custom((i, g) -> {
                    seen.add(i);
                    return new OptimisationLoop.Evaluation(Map.of(Objective.TOTAL, 1.0 / (i + 1)), Map.of(), Map.of());
                }, (g, lr) -> { }).startAt(2).steps(5).schedule(Schedule.constant(1)).run(null, null);
        assertThat(seen).containsExactly(2, 3, 4);
        assertThat(r.steps()).isEqualTo(3);
        assertThatThrownBy(() -> OptimisationLoop.custom((i, g) -> null, (g, lr) -> { }).steps(1).run(null, null))
                .hasMessageContaining("schedule");
    }

    @Test
    void schedules() {
        Schedule n = new Schedule.NvidiaRamp(0.1, 0.05, 0.25, 1000);
        assertThat(n.at(0)).isEqualTo(0.0);
        assertThat(n.at(25)).isCloseTo(0.05, within(1e-12));
        assertThat(n.at(500)).isCloseTo(0.1, within(1e-12));
        assertThat(n.at(875)).isCloseTo(0.05, within(1e-12));
        Schedule c = new Schedule.Cosine(1.0, 0.2, 10);
        assertThat(c.at(0)).isEqualTo(1.0);
        assertThat(c.at(5)).isCloseTo(0.6, within(1e-12));
        assertThat(c.at(10)).isCloseTo(0.2, within(1e-12));
        assertThat(c.at(20)).isCloseTo(0.2, within(1e-12));
        assertThat(Schedule.constant(0.3).at(7)).isEqualTo(0.3);
        assertThatThrownBy(() -> Schedule.constant(-1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new Schedule.Cosine(0.1, 0.2, 5)).hasMessageContaining("peak >= floor");
    }

    /** A FrameRecorder gets the frame output of step 0 and every k-th step (before its update), and of the final evaluation. */
    @Test
    void aFrameRecorderGetsTheFrameOutputEveryKSteps() {
        Quadratic q = Quadratic.create();
        List<String> frames = new ArrayList<>();
        FrameRecorder rec = new FrameRecorder() {
            @Override public int frameEvery() { return 2; }
            @Override public void frame(String task, long step, INDArray image) { frames.add(task + "@" + step + "=" + image.getDouble(0)); }
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) {}
            @Override public void end() {}
        };
        OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).task("quad").steps(5).finalEvaluation(true)
                .schedule(Schedule.constant(0.0)).frames("total").feed(i -> target(1.0)).run(rec, null);
        // lr 0: x stays 0, the loss (our "image") stays 1
        assertThat(frames).containsExactly("quad@0=1.0", "quad@2=1.0", "quad@4=1.0", "quad@5=1.0");
        // a loop without frames() treats a recorder as a plain Progress
        OptimisationLoop.graph(q.sd(), q.objective(), q.adam()).steps(3).schedule(Schedule.constant(0.0)).feed(i -> target(1.0)).run(rec, null);
        assertThat(frames).hasSize(4);
    }
}
