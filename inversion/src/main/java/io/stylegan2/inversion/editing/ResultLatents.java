package io.stylegan2.inversion.editing;

import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of a saved inversion result that editing needs, read directly with core
 * {@link Safetensors} (this package does not depend on {@code io.stylegan2.inversion.InversionResult}):
 * tensor {@code ws} ({@code [1, num_ws, w_dim]}, also accepted: {@code [N, num_ws, w_dim]},
 * {@code [num_ws, w_dim]}) and optional weight offsets {@code delta/<canonical name>} (PTI). The
 * metadata is kept as read.
 *
 * @param ws       {@code [N, num_ws, w_dim]} float32
 * @param deltas   offsets by canonical parameter name, as stored (canonical PyTorch layout expected)
 * @param metadata the file's metadata
 */
public record ResultLatents(INDArray ws, Map<String, INDArray> deltas, Map<String, String> metadata) {
    public ResultLatents {
        deltas = Collections.unmodifiableMap(new LinkedHashMap<>(deltas));
        metadata = Map.copyOf(metadata);
    }

    public static ResultLatents read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        INDArray ws = c.tensors().get("ws");
        if (ws == null) throw new IOException(file + ": no 'ws' tensor (have " + c.tensors().keySet() + ")");
        if (ws.rank() == 2) ws = ws.reshape(1, ws.size(0), ws.size(1));
        if (ws.rank() != 3) throw new IOException(file + ": 'ws' must be [1, num_ws, w_dim], got " + Arrays.toString(ws.shape()));
        Map<String, INDArray> deltas = new LinkedHashMap<>();
        // inversion results (InversionResults) store method extras as "extras/<name>": PTI's offsets are "extras/delta/<param>"
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("extras/delta/")) deltas.put(k.substring("extras/delta/".length()), v);
            else if (k.startsWith("delta/")) deltas.put(k.substring("delta/".length()), v);
        });
        return new ResultLatents(ws.castTo(DataType.FLOAT), deltas, c.metadata());
    }

    /**
     * The deltas in the layout of {@code store} (what {@code WeightOffsets} expects): rank-4 conv
     * weights stored canonically ({@code [out, in, kH, kW]}) are permuted to {@code [kH, kW, in, out]};
     * a delta already in graph layout is kept. Unknown names or wrong shapes fail naming the tensor.
     */
    public static Map<String, INDArray> toGraphLayout(Map<String, INDArray> deltas, ParameterStore store) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : deltas.entrySet()) {
            String name = e.getKey();
            if (!store.has(name)) throw new IllegalArgumentException("weight offset delta/" + name + ": the generator has no parameter '" + name + "'");
            INDArray theta = store.get(name), d = e.getValue();
            INDArray g;
            if (d.rank() == 4 && theta.rank() == 4 && Arrays.equals(d.permute(2, 3, 1, 0).shape(), theta.shape())) g = d.permute(2, 3, 1, 0);
            else if (Arrays.equals(d.shape(), theta.shape())) g = d;
            else throw new IllegalArgumentException("weight offset delta/" + name + ": shape " + Arrays.toString(d.shape())
                        + " does not match the parameter (graph layout " + Arrays.toString(theta.shape()) + ")");
            out.put(name, g.castTo(store.dataType()).dup('c'));
        }
        return out;
    }
}
