package io.stylegan2.inversion;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An {@link Inverter} that runs nothing: it returns an inversion result saved earlier
 * ({@link InversionResults#save}), so a method that starts from a latent (PTI, near-perfect) can
 * start from any earlier run. {@code source} is either one result file (used for every target) or
 * a folder laid out as {@code invert --out} writes it: {@code <source>/<target name>/result.safetensors}.
 *
 * <p><b>Thread safety:</b> Immutable (a path and two sizes); {@link #invertOne} only reads files,
 * so one instance may be used from several threads at once.
 */
public final class SavedResult implements Inverter {
    private final Path source;
    private final int numWs, wDim;

    /**
     * @param source a result file or an {@code invert --out} folder
     * @param numWs  the generator's {@code num_ws} (checked)
     * @param wDim   the generator's {@code w_dim} (checked)
     */
    public SavedResult(Path source, int numWs, int wDim) {
        if (!Files.exists(source)) throw new IllegalArgumentException("initial latent: no such file or folder: " + source);
        this.source = source;
        this.numWs = numWs;
        this.wDim = wDim;
    }

    @Override
    public String name() {
        return "saved";
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws IOException {
        Path file = Files.isDirectory(source) ? source.resolve(target.name()).resolve("result.safetensors") : source;
        if (!Files.isRegularFile(file))
            throw new IOException("initial latent for '" + target.name() + "': no saved result " + file + " (expected <folder>/<image name>/result.safetensors)");
        InversionResult r = InversionResults.load(file);
        if (r.ws().size(1) != numWs || r.ws().size(2) != wDim)
            throw new IOException(file + ": latent " + Arrays.toString(r.ws().shape()) + " does not fit this generator ([1, " + numWs + ", " + wDim + "])");
        return r;
    }
}
