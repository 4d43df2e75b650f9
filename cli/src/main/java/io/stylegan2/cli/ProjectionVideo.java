package io.stylegan2.cli;

import io.stylegan2.core.FrameRecorder;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.Figures;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code invert --save-video}: a {@link FrameRecorder} that passes progress on to the console bar and
 * streams each frame (target | the reconstruction at that step, labelled with the method's phase
 * and step, upscaled nearest to at least 256 px per panel) into an {@link Animation}, as NVlabs'
 * projector writes {@code proj.mp4}. The final reconstruction is the last frame.
 *
 * <p><b>Thread safety:</b> Not thread-safe: one video per inversion, on the thread that runs it.
 */
final class ProjectionVideo implements FrameRecorder, AutoCloseable {
    private final Progress delegate;
    private final Target target;
    private final int every;
    private final Animation animation;

    private ProjectionVideo(Progress delegate, Target target, int every, Animation animation) {
        this.delegate = delegate;
        this.target = target;
        this.every = every;
        this.animation = animation;
    }

    /** A video of {@code target}'s inversion, a frame every {@code every} steps, streamed into temporary files in {@code tempDir}. */
    static ProjectionVideo open(Progress delegate, Target target, int every, Path tempDir, int fps) throws IOException {
        return new ProjectionVideo(delegate, target, every, Animation.open(tempDir, List.of(Animation.Format.GIF, Animation.Format.MP4), fps));
    }

    @Override public int frameEvery() { return every; }
    @Override public void start(String task, long total) { delegate.start(task, total); }
    @Override public void update(long done, Map<String, Double> values) { delegate.update(done, values); }
    @Override public void end() { delegate.end(); }

    @Override
    public void frame(String task, long step, INDArray image) {
        add(image, String.format(Locale.ROOT, "%s, step %d", task, step));
    }

    private void add(INDArray image, String label) {
        INDArray first = image.rank() == 4 ? image.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()) : image;
        try {
            animation.add(Figures.labelledRow(List.of(target.image(), ReconstructionMetrics.clamp(first.castTo(target.image().dataType()))),
                    List.of("target " + target.name(), label), null, InvertCommand.COMPARISON_MIN_SIDE));
        } catch (IOException e) {
            throw new UncheckedIOException("projection video of " + target.name() + ": " + e.getMessage(), e);
        }
    }

    /** Adds the final reconstruction as the last frame and writes {@code base.gif} and {@code base.mp4}. */
    void finish(InversionResult r, Path base) throws IOException {
        add(r.image(), "final (" + r.method() + ", " + r.timing().steps() + " steps)");
        animation.finish(base);
    }

    @Override
    public void close() {
        animation.close();
    }
}
