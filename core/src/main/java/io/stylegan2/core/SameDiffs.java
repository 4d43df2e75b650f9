package io.stylegan2.core;

import io.stylegan2.core.engine.Engine;

/**
 * SameDiff plumbing shared by the whole project.
 *
 * @deprecated the {@code System.out} filter for SameDiff M2.1's "Added differentiated op" lines
 *             is part of the engine ({@link io.stylegan2.core.engine.EngineOptions#filterStdout()},
 *             on by default), installed with it on first use; call {@link Engine#get()} (or
 *             nothing: building any op of this library installs it).
 */
@Deprecated
public final class SameDiffs {
    private SameDiffs() {}

    /**
     * Makes sure the engine is installed ({@link Engine#get()}), which installs the stdout filter
     * unless the engine setting {@code filterStdout} is off.
     *
     * @deprecated use {@link Engine#get()}
     */
    @Deprecated
    public static void quiet() {
        Engine.get();
    }
}
