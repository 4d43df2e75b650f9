package io.stylegan2.metrics;

import io.stylegan2.losses.lpips.Lpips;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;

/** LPIPS v0.1 as a {@link PerceptualDistance} (inputs in [-1, 1]); named {@code lpips-<net>}. */
public final class LpipsDistance implements PerceptualDistance, AutoCloseable {
    private final Lpips lpips;

    public LpipsDistance(Lpips lpips) {
        this.lpips = lpips;
    }

    /** Loads a native LPIPS weight file ({@code lpips-jvm/1}, made by the converter). */
    public static LpipsDistance load(Path nativeFile) throws IOException {
        return new LpipsDistance(Lpips.load(nativeFile));
    }

    @Override
    public String name() {
        return "lpips-" + lpips.net().id();
    }

    @Override
    public INDArray distance(INDArray x, INDArray y) {
        return lpips.distance(x, y);
    }

    public Lpips lpips() {
        return lpips;
    }

    @Override
    public void close() {
        lpips.close();
    }
}
