package io.stylegan2.converter;

import io.stylegan2.stylegan.NativeModel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Convenience facade over the native model file ({@link NativeModel}, format
 * {@value NativeModel#FORMAT}): read, write, or convert any supported checkpoint into one.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (files are
 * written atomically, so concurrent writes of one file leave one whole file: the last rename wins).
 */
public final class ModelFile {
    private ModelFile() {}

    /** Reads and validates a native model file. */
    public static NativeModel read(Path file) throws IOException {
        return NativeModel.read(file);
    }

    /** Writes a native model file atomically. */
    public static void write(NativeModel model, Path file) throws IOException {
        model.write(file);
    }

    /**
     * Reads any supported input: a native file is read directly, anything else is converted in
     * memory with {@code options} (see {@link Converter}).
     */
    public static NativeModel open(Path file, ConvertOptions options) throws IOException {
        if (TorchFiles.detect(file) == TorchFiles.Format.SAFETENSORS) {
            try {
                return NativeModel.read(file);
            } catch (IOException e) {
                if (!e.getMessage().contains("not a " + NativeModel.FORMAT)) throw e;
            }
        }
        return Converter.load(java.util.List.of(file), options);
    }
}
