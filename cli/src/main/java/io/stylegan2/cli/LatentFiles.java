package io.stylegan2.cli;

import io.stylegan2.core.NonFinite;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The w / W+ files the commands accept ({@code generate --w}, {@code interpolate --w}), read as a
 * batch of W+ codes {@code [N, num_ws, w_dim]} (float32):
 * <ul>
 *   <li>an {@code .npy}: {@code [N, w_dim]} (w, repeated over the rows), {@code [N, num_ws, w_dim]},
 *       or one W+ code {@code [num_ws, w_dim]} ({@code invert}'s {@code latent.npy}, {@code generate
 *       --save-w}), which is one latent, never {@code num_ws} w latents;</li>
 *   <li>NVIDIA's {@code projected_w.npz} (its {@code w} entry, or its only array);</li>
 *   <li>an inversion result ({@code result.safetensors}, or an {@code invert --out} image folder
 *       holding one): its W+ code.</li>
 * </ul>
 * Errors ({@link IllegalArgumentException}) name the file; NaN or infinite values are refused.
 *
 * <p><b>Thread safety:</b> Stateless; safe from any thread.
 */
final class LatentFiles {
    private LatentFiles() {}

    /** Reads {@code file} (see the class comment); {@code note} hears how an ambiguous shape was read. */
    static INDArray read(Path file, GeneratorConfig cfg, Consumer<String> note) throws IOException {
        INDArray w;
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(file) || lower.endsWith(".safetensors")) {
            Path f = Cli.resultFile(file);
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException(file + ": a folder needs the result.safetensors that invert writes");
            InversionResult r = InversionResults.load(f);
            if (r.reconstruction().tunesWeights() || !r.reconstruction().hooks().isPlain() || !r.reconstruction().latent().featureOffsets().isEmpty())
                note.accept(file + ": rendered from its W+ code alone with the model's weights (its " + r.method()
                        + " tuned weights, noise, padding maps or feature offsets are not used)");
            w = r.ws();
        } else if (lower.endsWith(".npz")) {
            Map<String, INDArray> entries = Npy.readNpz(file);
            if (entries.containsKey("w")) w = entries.get("w");
            else if (entries.size() == 1) w = entries.values().iterator().next();
            else throw new IllegalArgumentException(file + ": an .npz needs a 'w' entry (NVIDIA's projected_w.npz) or a single array, got " + entries.keySet());
        } else {
            w = Npy.read(file);
        }
        if (w.rank() == 2 && w.size(0) == cfg.numWs() && w.size(1) == cfg.wDim()) {
            note.accept(file + ": one W+ code [" + cfg.numWs() + ", " + cfg.wDim() + "], one image");
            w = w.reshape(1, cfg.numWs(), cfg.wDim());
        }
        INDArray ws = WPlus.batch(w.castTo(DataType.FLOAT), cfg, file.toString());
        if (ws.size(0) < 1) throw new IllegalArgumentException(file + ": no latents, shape " + Arrays.toString(w.shape()));
        requireFinite(ws, file.toString());
        return ws;
    }

    /** An {@link IllegalArgumentException} naming {@code what} when latents hold NaN or infinity (they would draw NaN images). */
    static void requireFinite(INDArray latents, String what) {
        long bad = NonFinite.count(latents);
        if (bad > 0) throw new IllegalArgumentException(what + ": " + bad + " NaN or infinite value" + (bad == 1 ? "" : "s") + " in the latents");
    }
}
