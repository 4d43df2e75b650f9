package io.stylegan2.converter;

import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the official LPIPS v0.1 weights to the native LPIPS file ({@link Lpips#load}).
 *
 * <p>Inputs (downloaded by the user; nothing is fetched here):
 * <ul>
 *   <li>the trunk: torchvision's ImageNet checkpoint {@code alexnet-owt-7be5be79.pth},
 *       {@code vgg16-397923af.pth} or {@code squeezenet1_1-b8a52dc0.pth} (only {@code features.*} is
 *       kept; {@code classifier.*} is ignored), or any {@code torch.save} of such a state dict or of
 *       its {@code features.*} part; an LPIPS module state dict ({@code net.slice<k>.<idx>.*}) also works;</li>
 *   <li>the lin heads: {@code lpips/weights/v0.1/<net>.pth} of richzhang/PerceptualSimilarity
 *       ({@code lin<k>.model.1.weight [1, C_k, 1, 1]}; {@code lins.<k>.model.1.weight} is accepted too).</li>
 * </ul>
 * Files are read by {@link TorchFiles} (no code is executed; legacy and zip formats, CUDA storages on CPU).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each load uses
 * its own unpickler).
 */
public final class LpipsConverter {
    private static final Pattern SLICE = Pattern.compile("^net\\.slice\\d+\\.(\\d+\\..+)$");
    private static final Pattern LINS = Pattern.compile("^lins\\.(\\d+)\\.model\\.1\\.weight$");

    private LpipsConverter() {}

    /** Reads the two files, checks every tensor against the trunk, writes {@code out} atomically; returns the model. */
    public static Lpips convert(LpipsNet net, Path backbonePth, Path linPth, Path out) throws IOException {
        Lpips model = read(net, backbonePth, linPth);
        model.save(out);
        return model;
    }

    /** Reads the two files into an in-memory model (no file written). */
    public static Lpips read(LpipsNet net, Path backbonePth, Path linPth) throws IOException {
        return fromStateDicts(net, stateDict(backbonePth), stateDict(linPth), backbonePth.toString(), linPth.toString());
    }

    /**
     * Picks the trunk's {@code features.*} tensors from {@code backbone} (also under {@code module.}
     * or LPIPS's {@code net.slice<k>.<idx>.}; everything else, e.g. {@code classifier.*}, is ignored)
     * and the lin heads from {@code lin}; {@code backboneName}/{@code linName} label error messages.
     */
    static Lpips fromStateDicts(LpipsNet net, Map<String, INDArray> backbone, Map<String, INDArray> lin, String backboneName, String linName)
            throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        Map<String, long[]> expected = net.expectedShapes();
        for (Map.Entry<String, INDArray> e : backbone.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("module.")) k = k.substring("module.".length());
            Matcher m = SLICE.matcher(k);
            if (m.matches()) k = "features." + m.group(1);
            if (k.startsWith("features.")) {
                if (!expected.containsKey(k))
                    throw new IOException(backboneName + ": tensor " + e.getKey() + " is not part of the torchvision " + net.id() + " trunk LPIPS uses");
                tensors.put(k, e.getValue());
            }
        }
        if (tensors.isEmpty()) throw new IOException(backboneName + ": no trunk tensors (features.*) found");
        int lins = 0;
        for (Map.Entry<String, INDArray> e : lin.entrySet()) {
            String k = e.getKey();
            Matcher m = LINS.matcher(k);
            if (m.matches()) k = LpipsNet.linName(Integer.parseInt(m.group(1)));
            if (k.startsWith("lin") && k.endsWith(".model.1.weight")) {
                tensors.put(k, e.getValue());
                lins++;
            }
        }
        if (lins == 0) throw new IOException(linName + ": no LPIPS lin heads (lin<k>.model.1.weight) found");
        try {
            return Lpips.create(net, tensors);
        } catch (IllegalArgumentException ex) {
            throw new IOException(backboneName + " + " + linName + ": " + ex.getMessage(), ex);
        }
    }

    private static Map<String, INDArray> stateDict(Path file) throws IOException {
        Object o = TorchFiles.load(file);
        if (o instanceof Map<?, ?> top && top.containsKey("state_dict") && top.get("state_dict") instanceof Map<?, ?> inner) o = inner;
        if (!(o instanceof Map<?, ?> map)) throw new IOException(file + ": expected a state dict (a mapping of names to tensors)");
        Map<String, INDArray> r = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof INDArray a) r.put(k, a);
        }
        return r;
    }
}
