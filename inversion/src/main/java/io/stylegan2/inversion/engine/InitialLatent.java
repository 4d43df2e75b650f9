package io.stylegan2.inversion.engine;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.SavedResult;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a method that starts from a latent (PTI's pivot, near-perfect's initial latent, generator
 * tuning in general) gets it: a trained encoder, a saved result, or another registered method (by
 * name, e.g. the W projector or W+ optimisation). Shared by those methods so their options read
 * the same: {@code encoder=FILE} (with {@code iterations}), {@code init=FILE|DIR}, or the method
 * and its steps.
 *
 * <p><b>Thread safety:</b> Stateless; safe to call from any thread. The inverter it returns has its
 * own contract (see {@link Inverter}).
 */
public final class InitialLatent {
    private InitialLatent() {}

    /**
     * @param method     the owning method (for errors)
     * @param encoder    a trained encoder file, or null
     * @param iterations its ReStyle iterations
     * @param saved      a saved result file or an {@code invert --out} folder, or null
     * @param fallback   the registered method to run otherwise (e.g. {@code w}, {@code wplus})
     * @param steps      its steps (null: its default)
     * @param options    its options ({@code --option} keys of that method)
     */
    public static Inverter inverter(String method, MethodContext c, Path encoder, int iterations, Path saved, String fallback, Integer steps,
                                    Map<String, String> options) throws Exception {
        if (encoder != null && saved != null) throw new IllegalArgumentException(method + ": give encoder=FILE or init=FILE|DIR, not both");
        if (saved != null) return new SavedResult(saved, c.generator().config().numWs(), c.generator().config().wDim());
        if (encoder != null) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("encoder", encoder.toString());
            o.put("iterations", Integer.toString(iterations));
            return c.methods().create("encoder", c.withDefaultSteps().withOptions(o));
        }
        if (fallback.equals(method)) throw new IllegalArgumentException(method + ": cannot start from itself");
        return c.methods().create(fallback, (steps == null ? c.withDefaultSteps() : c.withSteps(steps)).withOptions(options));
    }
}
