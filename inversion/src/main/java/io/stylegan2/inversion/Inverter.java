package io.stylegan2.inversion;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * An inversion method bound to a generator and a configuration. Batch-first: {@link #invert}
 * returns one outcome per target, in order; an image that fails becomes a
 * {@link InversionOutcome.Failure} and the others go on. After a cancellation the current image
 * and all later ones are reported as cancelled failures.
 *
 * <p>Implementations override {@link #invertOne}; they report each step to {@code progress}
 * ({@code start(task, steps)}, {@code update(step, losses)}, {@code end()}) and check {@code cancel}
 * between steps.
 *
 * <p><b>Thread safety:</b> Callers must not assume an inverter is thread-safe: use one instance per
 * thread unless its class says otherwise (several inverters may share one {@code Generator}, which
 * serialises its calls). {@link #invert} runs the targets one after another on the calling thread;
 * implementations report to {@code progress} from that thread and need only be safe to call from
 * it. The {@code cancel} token may be cancelled from any thread.
 */
public interface Inverter {
    /** The method name, e.g. {@code wplus}. */
    String name();

    /** Inverts one image; throws on failure and {@link CancellationException} when cancelled. */
    InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception;

    /** Inverts every target independently; never throws for a single image's failure. */
    default List<InversionOutcome> invert(List<Target> targets, Progress progress, CancellationToken cancel) {
        Progress p = Progress.orNone(progress);
        CancellationToken c = CancellationToken.orNone(cancel);
        List<InversionOutcome> out = new ArrayList<>(targets.size());
        for (Target t : targets) {
            if (c.isCancelled()) {
                out.add(new InversionOutcome.Failure(t.name(), "cancelled", new CancellationException("inversion cancelled"), true));
                continue;
            }
            try {
                out.add(new InversionOutcome.Success(t.name(), invertOne(t, p, c)));
            } catch (CancellationException e) {
                p.end();
                out.add(new InversionOutcome.Failure(t.name(), "cancelled", e, true));
            } catch (Exception | OutOfMemoryError | StackOverflowError e) {
                p.end();
                LoggerFactory.getLogger(Inverter.class).warn("{}: inversion of '{}' failed: {}", name(), t.name(), e.toString());
                out.add(new InversionOutcome.Failure(t.name(), e.getMessage() == null ? e.toString() : e.getMessage(), e, false));
            }
        }
        return out;
    }

    /** Convenience: one target, {@link InversionOutcome#resultOrThrow()}. */
    default InversionResult invert(Target target) {
        return invert(List.of(target), Progress.NONE, CancellationToken.NONE).get(0).resultOrThrow();
    }
}
