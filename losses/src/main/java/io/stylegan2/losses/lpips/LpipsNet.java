package io.stylegan2.losses.lpips;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three LPIPS v0.1 trunks: the {@code features} part of torchvision's {@code alexnet},
 * {@code vgg16} and {@code squeezenet1_1}, cut where LPIPS taps them. Layer indices and tensor names
 * are torchvision's ({@code features.<index>.weight}, {@code features.<index>.expand3x3.bias} ...),
 * so a torchvision state dict maps one to one.
 *
 * <ul>
 *   <li>{@link #ALEX}: 5 taps after relu1..relu5 (conv1 11x11 stride 4 pad 2, MaxPool 3/2), channels
 *       64, 192, 384, 256, 256;</li>
 *   <li>{@link #VGG}: 5 taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 (13 convs 3x3 pad 1,
 *       MaxPool 2/2), channels 64, 128, 256, 512, 512;</li>
 *   <li>{@link #SQUEEZE}: SqueezeNet 1.1, 7 taps (after relu1 and after Fire modules 4, 7, 9, 10,
 *       11, 12; MaxPool 3/2 with {@code ceil_mode=True}), channels 64, 128, 256, 384, 384, 512, 512.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads (the trunk description is built
 * lazily under the constant's lock and is unmodifiable).
 */
public enum LpipsNet {
    ALEX("alex"),
    VGG("vgg"),
    SQUEEZE("squeeze");

    /** One trunk step. */
    sealed interface Layer permits Conv, Relu, MaxPool, Fire, Tap {}

    /** {@code features.<index>}: Conv2d(in, out, k, stride, pad) with bias. */
    record Conv(String name, int in, int out, int k, int stride, int pad) implements Layer {}

    record Relu() implements Layer {}

    /** MaxPool2d(k, stride), no padding; {@code ceil} is torch's {@code ceil_mode}. */
    record MaxPool(int k, int stride, boolean ceil) implements Layer {}

    /** torchvision Fire(in, squeeze, expand1x1, expand3x3): each conv followed by ReLU, expands concatenated. */
    record Fire(String name, int in, int squeeze, int e1, int e3) implements Layer {}

    /** LPIPS reads the feature map here. */
    record Tap() implements Layer {}

    private final String id;
    private List<Layer> layers;

    LpipsNet(String id) {
        this.id = id;
    }

    /** The LPIPS name: {@code alex}, {@code vgg} or {@code squeeze} (the {@code net=} metadata value). */
    public String id() {
        return id;
    }

    /** Parses {@code alex|vgg|squeeze} (also {@code alexnet}, {@code vgg16}, {@code squeezenet1_1}), case-insensitive. */
    public static LpipsNet parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "alex": case "alexnet": return ALEX;
            case "vgg": case "vgg16": return VGG;
            case "squeeze": case "squeezenet": case "squeezenet1_1": return SQUEEZE;
            default: throw new IllegalArgumentException("unknown LPIPS net '" + s + "' (expected alex, vgg or squeeze)");
        }
    }

    /** Channels of each tapped feature map (= input channels of each lin head). */
    public int[] channels() {
        switch (this) {
            case ALEX: return new int[] {64, 192, 384, 256, 256};
            case VGG: return new int[] {64, 128, 256, 512, 512};
            default: return new int[] {64, 128, 256, 384, 384, 512, 512};
        }
    }

    /** Number of tapped layers (5, 5 or 7). */
    public int numLayers() {
        return channels().length;
    }

    /** Name of lin head {@code k} as in the official weights: {@code lin<k>.model.1.weight}, shape [1, C_k, 1, 1]. */
    public static String linName(int k) {
        return "lin" + k + ".model.1.weight";
    }

    synchronized List<Layer> layers() {
        if (layers == null) layers = Collections.unmodifiableList(build());
        return layers;
    }

    private List<Layer> build() {
        List<Layer> l = new ArrayList<>();
        Relu r = new Relu();
        Tap t = new Tap();
        switch (this) {
            case ALEX:
                l.add(conv(0, 3, 64, 11, 4, 2)); l.add(r); l.add(t);
                l.add(new MaxPool(3, 2, false)); l.add(conv(3, 64, 192, 5, 1, 2)); l.add(r); l.add(t);
                l.add(new MaxPool(3, 2, false)); l.add(conv(6, 192, 384, 3, 1, 1)); l.add(r); l.add(t);
                l.add(conv(8, 384, 256, 3, 1, 1)); l.add(r); l.add(t);
                l.add(conv(10, 256, 256, 3, 1, 1)); l.add(r); l.add(t);
                break;
            case VGG: {
                int[][] convs = { // index, in, out; a pool precedes indices 5, 10, 17, 24
                        {0, 3, 64}, {2, 64, 64}, {5, 64, 128}, {7, 128, 128}, {10, 128, 256}, {12, 256, 256},
                        {14, 256, 256}, {17, 256, 512}, {19, 512, 512}, {21, 512, 512}, {24, 512, 512},
                        {26, 512, 512}, {28, 512, 512}};
                for (int[] c : convs) {
                    if (c[0] == 5 || c[0] == 10 || c[0] == 17 || c[0] == 24) l.add(new MaxPool(2, 2, false));
                    l.add(conv(c[0], c[1], c[2], 3, 1, 1));
                    l.add(r);
                    if (c[0] == 2 || c[0] == 7 || c[0] == 14 || c[0] == 21 || c[0] == 28) l.add(t);
                }
                break;
            }
            default:
                l.add(conv(0, 3, 64, 3, 2, 0)); l.add(r); l.add(t);
                l.add(new MaxPool(3, 2, true)); l.add(fire(3, 64, 16, 64, 64)); l.add(fire(4, 128, 16, 64, 64)); l.add(t);
                l.add(new MaxPool(3, 2, true)); l.add(fire(6, 128, 32, 128, 128)); l.add(fire(7, 256, 32, 128, 128)); l.add(t);
                l.add(new MaxPool(3, 2, true)); l.add(fire(9, 256, 48, 192, 192)); l.add(t);
                l.add(fire(10, 384, 48, 192, 192)); l.add(t);
                l.add(fire(11, 384, 64, 256, 256)); l.add(t);
                l.add(fire(12, 512, 64, 256, 256)); l.add(t);
        }
        return l;
    }

    private static Conv conv(int idx, int in, int out, int k, int stride, int pad) {
        return new Conv("features." + idx, in, out, k, stride, pad);
    }

    private static Fire fire(int idx, int in, int s, int e1, int e3) {
        return new Fire("features." + idx, in, s, e1, e3);
    }

    /**
     * Every tensor a complete weight set holds, with its PyTorch shape, in trunk order: the trunk's
     * {@code features.*} weights [out, in, kH, kW] and biases [out], then the lin heads
     * {@code lin<k>.model.1.weight} [1, C_k, 1, 1].
     */
    public Map<String, long[]> expectedShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (Layer layer : layers()) {
            if (layer instanceof Conv c) {
                m.put(c.name() + ".weight", new long[] {c.out(), c.in(), c.k(), c.k()});
                m.put(c.name() + ".bias", new long[] {c.out()});
            } else if (layer instanceof Fire f) {
                m.put(f.name() + ".squeeze.weight", new long[] {f.squeeze(), f.in(), 1, 1});
                m.put(f.name() + ".squeeze.bias", new long[] {f.squeeze()});
                m.put(f.name() + ".expand1x1.weight", new long[] {f.e1(), f.squeeze(), 1, 1});
                m.put(f.name() + ".expand1x1.bias", new long[] {f.e1()});
                m.put(f.name() + ".expand3x3.weight", new long[] {f.e3(), f.squeeze(), 3, 3});
                m.put(f.name() + ".expand3x3.bias", new long[] {f.e3()});
            }
        }
        int[] ch = channels();
        for (int k = 0; k < ch.length; k++) m.put(linName(k), new long[] {1, ch[k], 1, 1});
        return m;
    }

    /**
     * Spatial size [h, w] of each tapped feature map for an input of {@code height x width}; throws
     * {@link IllegalArgumentException} naming the layer when the input is too small for the trunk.
     */
    public int[][] featureSizes(int height, int width) {
        String[] where = new String[1];
        int[][] r = sizes(height, width, where);
        if (r == null) throw new IllegalArgumentException("LPIPS-" + id + ": input " + height + "x" + width
                + " is too small for the trunk (empty feature map at " + where[0] + "); minimum is " + minSize() + "x" + minSize());
        return r;
    }

    private int[][] sizes(int height, int width, String[] where) {
        List<int[]> out = new ArrayList<>();
        int h = height, w = width;
        for (Layer layer : layers()) {
            if (layer instanceof Conv c) {
                h = convOut(h, c.k(), c.stride(), c.pad());
                w = convOut(w, c.k(), c.stride(), c.pad());
                if (h < 1 || w < 1) { where[0] = c.name(); return null; }
            } else if (layer instanceof MaxPool p) {
                h = poolOut(h, p);
                w = poolOut(w, p);
                if (h < 1 || w < 1) { where[0] = "the max pool before tap " + out.size(); return null; }
            } else if (layer instanceof Tap) {
                out.add(new int[] {h, w});
            }
        }
        return out.toArray(new int[0][]);
    }

    static int convOut(int n, int k, int stride, int pad) {
        return n + 2 * pad < k ? 0 : (n + 2 * pad - k) / stride + 1;
    }

    /** torch MaxPool2d output size without padding; ceil mode as torch (the last window must start inside). */
    static int poolOut(int n, MaxPool p) {
        if (!p.ceil()) return Math.floorDiv(n - p.k(), p.stride()) + 1;
        int o = Math.floorDiv(n - p.k() + p.stride() - 1, p.stride()) + 1;
        if ((o - 1) * p.stride() >= n) o--;
        return o;
    }

    /** Smallest square input the trunk accepts (alex 31, vgg 16, squeeze 17). */
    public int minSize() {
        for (int s = 1; s < 4096; s++) {
            if (sizes(s, s, new String[1]) != null) return s;
        }
        return -1;
    }
}
