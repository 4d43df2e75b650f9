package io.stylegan2.inversion;

import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One latent code, validated and broadcast once: the W+ code {@code ws [1, num_ws, w_dim]}
 * (float32; for {@link LatentSpace#W} every row is the same {@code w}), plus, for
 * {@link LatentSpace#W_PLUS_FEATURES}, additive feature offsets after synthesis blocks
 * ({@code b16 -> [1, C, 16, 16]}, applied after the block's ToRGB).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: {@code ws} (when already float32) and the
 * feature-offset arrays are not copied, so a latent is safe to share as long as no thread mutates
 * them.
 *
 * @param space          the space the code lives in
 * @param ws             {@code [1, num_ws, w_dim]} float32
 * @param featureOffsets block id to offset; empty unless {@code space == W_PLUS_FEATURES}
 */
public record Latent(LatentSpace space, INDArray ws, Map<String, INDArray> featureOffsets) {
    public Latent {
        if (space == null) throw new IllegalArgumentException("latent: no space");
        if (ws == null || ws.rank() != 3 || ws.size(0) != 1)
            throw new IllegalArgumentException("latent: ws must be [1, num_ws, w_dim], got " + (ws == null ? null : Arrays.toString(ws.shape())));
        ws = ws.dataType() == DataType.FLOAT ? ws : ws.castTo(DataType.FLOAT);
        featureOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(featureOffsets == null ? Map.of() : featureOffsets));
        if (space == LatentSpace.W_PLUS_FEATURES && featureOffsets.isEmpty())
            throw new IllegalArgumentException("latent: a W+F latent needs feature offsets");
        if (space != LatentSpace.W_PLUS_FEATURES && !featureOffsets.isEmpty())
            throw new IllegalArgumentException("latent: feature offsets need the W+F space, not " + space.label());
    }

    /** A W+ latent from any single-latent shape (see {@link #of}). */
    public static Latent wPlus(INDArray ws, GeneratorConfig cfg) {
        return new Latent(LatentSpace.W_PLUS, WPlus.one(ws, cfg, "latent"), Map.of());
    }

    /** A W latent: {@code w} ({@code [w_dim]} or {@code [1, w_dim]}) broadcast to every row. */
    public static Latent w(INDArray w, GeneratorConfig cfg) {
        if (w.length() != cfg.wDim()) throw new IllegalArgumentException("latent: w has " + w.length() + " values, expected w_dim = " + cfg.wDim());
        return new Latent(LatentSpace.W, WPlus.one(w.reshape(cfg.wDim()), cfg, "latent"), Map.of());
    }

    /**
     * A latent from an array as users have them: {@code [w_dim]} or {@code [1, w_dim]} is a W latent;
     * {@code [num_ws, w_dim]} or {@code [1, num_ws, w_dim]} a W+ latent. Other shapes (several
     * latents, another generator's sizes) fail with both shapes in the message.
     */
    public static Latent of(INDArray array, GeneratorConfig cfg) {
        boolean single = array.length() == cfg.wDim() && (array.rank() == 1 || (array.rank() == 2 && array.size(0) == 1));
        return single ? w(array, cfg) : wPlus(array, cfg);
    }

    /** This latent with feature offsets (space W+F). */
    public Latent withFeatureOffsets(Map<String, INDArray> offsets) {
        return new Latent(offsets.isEmpty() ? (space == LatentSpace.W_PLUS_FEATURES ? LatentSpace.W_PLUS : space) : LatentSpace.W_PLUS_FEATURES, ws, offsets);
    }

    /** This latent's rows replaced by {@code ws} (an edit); the space becomes W+ unless the rows are all equal. */
    public Latent withWs(INDArray edited, GeneratorConfig cfg) {
        INDArray w = WPlus.one(edited, cfg, "edited latent");
        LatentSpace s = space == LatentSpace.W_PLUS_FEATURES ? space : (WPlus.isBroadcast(w) ? space : LatentSpace.W_PLUS);
        return new Latent(s, w, featureOffsets);
    }

    /** Checks the code against a generator. */
    public Latent requireFits(GeneratorConfig cfg) {
        if (ws.size(1) != cfg.numWs() || ws.size(2) != cfg.wDim())
            throw new IllegalArgumentException("latent " + Arrays.toString(ws.shape()) + " does not fit this generator ([1, " + cfg.numWs() + ", " + cfg.wDim() + "])");
        return this;
    }

    /** {@code [num_ws, w_dim]}: the rosinality layout. */
    public INDArray rows() {
        return ws.reshape(ws.size(1), ws.size(2));
    }
}
