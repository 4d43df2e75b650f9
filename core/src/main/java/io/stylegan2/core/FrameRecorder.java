package io.stylegan2.core;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Progress} that also receives the image of the work in progress every
 * {@link #frameEvery()} steps: what NVlabs' projector records with {@code --save-video}. Loops that
 * know which of their outputs is an image ({@code OptimisationLoop.Builder#frames}, which every
 * inversion method built on the engine's {@code MethodGraph} sets) pass it to {@link #frame}; other
 * work treats a recorder as a plain {@link Progress}.
 *
 * <p><b>Thread safety:</b> Like {@link Progress}: called from the one thread that runs the work.
 */
public interface FrameRecorder extends Progress {

    /** Record every this many steps ({@code >= 1}); step 0 is always recorded. */
    int frameEvery();

    /**
     * One frame.
     *
     * @param task  the task that made it (as in {@link #start}; a method with phases sends each phase's)
     * @param step  the step whose evaluation produced it (before that step's update)
     * @param image {@code [N, C, H, W]} in the generator's range, valid only during the call (copy to keep)
     */
    void frame(String task, long step, INDArray image);
}
