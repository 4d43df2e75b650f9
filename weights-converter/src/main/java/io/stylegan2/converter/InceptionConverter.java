package io.stylegan2.converter;

import io.stylegan2.core.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts Inception-v3 weights from a PyTorch file into the safetensors file that
 * {@code io.stylegan2.metrics.InceptionV3Features.load} reads, without executing code from it
 * ({@link TorchFiles}).
 *
 * <p>Accepted: pytorch-fid's FID weights ({@code pt_inception-2015-12-05-6726825d.pth}, fc with 1008
 * classes: variant {@code "fid"}) and torchvision's {@code inception_v3_google-*.pth} (1000
 * classes: variant {@code "torchvision"}); a state dict, possibly inside {@code {"state_dict": ...}}
 * and possibly with DataParallel's {@code "module."} prefix. Kept: the 470 tensors of the 94
 * BasicConv2d layers ({@code *.conv.weight}, {@code *.bn.weight|bias|running_mean|running_var}),
 * float32, PyTorch names and layouts. Dropped: {@code AuxLogits.*}, {@code fc.*} (not needed for
 * pool3 features), {@code num_batches_tracked}. Metadata: {@code inception_variant},
 * {@code source} (the file name). Shapes are checked when the metrics module builds the network.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each load uses
 * its own unpickler).
 */
public final class InceptionConverter {
    private InceptionConverter() {}

    /** Number of conv/BN tensors of Inception-v3 (94 BasicConv2d x 5). */
    public static final int TENSOR_COUNT = 470;
    private static final List<String> SUFFIXES = List.of(".conv.weight", ".bn.weight", ".bn.bias", ".bn.running_mean", ".bn.running_var");

    /** Converts with the variant detected from {@code fc.weight} (1008 rows: fid, 1000: torchvision). */
    public static void convert(Path pth, Path out) throws IOException {
        convert(pth, out, null);
    }

    /**
     * @param variant "fid", "torchvision", or null to detect it from {@code fc.weight}
     * @throws IOException naming the file and the missing tensor or the reason, before anything is written
     */
    public static void convert(Path pth, Path out, String variant) throws IOException {
        Object loaded = TorchFiles.load(pth);
        Map<String, INDArray> sd = stateDict(loaded, pth);
        String v = variant != null ? variant : detectVariant(sd, pth);
        if (!v.equals("fid") && !v.equals("torchvision")) throw new IllegalArgumentException("variant must be fid or torchvision: " + v);
        Map<String, INDArray> kept = select(sd, pth);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "stylegan2-jvm/inception-v3");
        meta.put("inception_variant", v);
        meta.put("source", pth.getFileName().toString());
        Safetensors.write(out, kept, meta);
    }

    static Map<String, INDArray> stateDict(Object loaded, Path file) throws IOException {
        if (!(loaded instanceof Map<?, ?> m)) throw new IOException(file + ": not a state dict (top level is " + (loaded == null ? "null" : loaded.getClass().getSimpleName()) + ")");
        if (m.get("state_dict") instanceof Map<?, ?> inner) m = inner;
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof INDArray a)) continue;
            out.put(k.startsWith("module.") ? k.substring(7) : k, a);
        }
        if (out.isEmpty()) throw new IOException(file + ": no tensors found");
        return out;
    }

    static String detectVariant(Map<String, INDArray> sd, Path file) throws IOException {
        INDArray fc = sd.get("fc.weight");
        if (fc == null) throw new IOException(file + ": no fc.weight to detect the variant from; pass it explicitly (fid or torchvision)");
        long rows = fc.size(0);
        if (rows == 1008) return "fid";
        if (rows == 1000) return "torchvision";
        throw new IOException(file + ": fc.weight has " + rows + " rows (1008: FID weights, 1000: torchvision); pass the variant explicitly");
    }

    static Map<String, INDArray> select(Map<String, INDArray> sd, Path file) throws IOException {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : sd.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("AuxLogits.") || k.startsWith("fc.") || k.endsWith("num_batches_tracked")) continue;
            if (SUFFIXES.stream().noneMatch(k::endsWith)) throw new IOException(file + ": unexpected tensor " + k + " (not an Inception-v3 state dict?)");
            kept.put(k, e.getValue().castTo(DataType.FLOAT));
        }
        for (String required : List.of("Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch_pool.bn.running_var", "Mixed_7c.branch_pool.conv.weight"))
            if (!kept.containsKey(required)) throw new IOException(file + ": missing tensor " + required);
        if (kept.size() != TENSOR_COUNT)
            throw new IOException(file + ": " + kept.size() + " conv/BN tensors, Inception-v3 has " + TENSOR_COUNT);
        return kept;
    }
}
