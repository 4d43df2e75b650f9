package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A latent editing direction.
 *
 * <p>Editing adds {@code strength * scale * v} to the W+ rows {@code r} with {@code start <= r < end}
 * of {@code ws [N, num_ws, w_dim]}: {@code v} is {@link #vector()} for {@link LatentSpace#W} (shape
 * {@code [w_dim]}) or its row {@code r} for {@link LatentSpace#W_PLUS} (shape {@code [num_ws, w_dim]}).
 * Other rows are returned unchanged (bit for bit), and strength 0 returns {@code ws} unchanged.
 *
 * <p>{@code scale} sets the unit of the strength: GANSpace stores the component's standard deviation
 * (strength in sigmas), SeFa and InterFaceGAN store 1 (strength in W distance along a unit vector).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the constructor keeps its own float64 copy of the
 * vector, but {@link #vector()} returns that array itself, so a direction is safe to share as long
 * as no caller mutates it; every method only reads it and returns new arrays.
 *
 * @param name       name, unique within a {@link DirectionSet}
 * @param space      {@code W} or {@code W+}
 * @param vector     float64 copy of the direction, {@code [w_dim]} or {@code [num_ws, w_dim]}
 * @param start      first W+ row edited (inclusive)
 * @param end        end of the edited rows (exclusive); empty for "through the last row"
 * @param scale      multiplier of the strength (see above), finite and non-zero
 * @param provenance method and parameters
 */
public record Direction(String name, LatentSpace space, INDArray vector, int start, OptionalInt end, double scale, Provenance provenance) {

    /** A direction on rows {@code [start, end)}. */
    public Direction(String name, LatentSpace space, INDArray vector, int start, int end, double scale, Provenance provenance) {
        this(name, space, vector, start, OptionalInt.of(end), scale, provenance);
    }

    /** A direction from row {@code start} through the last row. */
    public static Direction fromRow(String name, LatentSpace space, INDArray vector, int start, double scale, Provenance provenance) {
        return new Direction(name, space, vector, start, OptionalInt.empty(), scale, provenance);
    }

    public Direction {
        if (end == null) throw new IllegalArgumentException("direction " + name + ": end is null (OptionalInt.empty() for through the last row)");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("direction name must be non-empty");
        if (space == null) throw new IllegalArgumentException("direction " + name + ": latent space is null");
        if (space == LatentSpace.W_PLUS_FEATURES) throw new IllegalArgumentException("direction " + name + ": directions live in W or W+, not " + space.label());
        if (vector == null) throw new IllegalArgumentException("direction " + name + ": vector is null");
        if (space == LatentSpace.W && vector.rank() != 1)
            throw new IllegalArgumentException("direction " + name + ": a W direction needs a [w_dim] vector, got " + Arrays.toString(vector.shape()));
        if (space == LatentSpace.W_PLUS && vector.rank() != 2)
            throw new IllegalArgumentException("direction " + name + ": a W+ direction needs a [num_ws, w_dim] array, got " + Arrays.toString(vector.shape()));
        if (start < 0 || (end.isPresent() && end.getAsInt() <= start))
            throw new IllegalArgumentException("direction " + name + ": bad layer range [" + start + ", " + (end.isPresent() ? end.getAsInt() : "last") + ")");
        if (space == LatentSpace.W_PLUS && end.isPresent() && end.getAsInt() > vector.size(0))
            throw new IllegalArgumentException("direction " + name + ": range end " + end.getAsInt() + " exceeds num_ws " + vector.size(0));
        if (!Double.isFinite(scale) || scale == 0) throw new IllegalArgumentException("direction " + name + ": scale must be finite and non-zero, got " + scale);
        vector = vector.castTo(DataType.DOUBLE).dup('c');
        if (provenance == null) provenance = Provenance.of("manual");
    }

    /** A W direction applied to every row, scale 1. */
    public static Direction w(String name, INDArray vector, Provenance provenance) {
        return fromRow(name, LatentSpace.W, vector, 0, 1.0, provenance);
    }

    /** w_dim of the direction. */
    public long wDim() {
        return vector.size(vector.rank() - 1);
    }

    /** End of the edited rows for a generator with {@code numWs} rows. */
    public int endFor(int numWs) {
        return end.isPresent() ? Math.min(end.getAsInt(), numWs) : numWs;
    }

    /** The same direction on rows {@code [start, end)}. */
    public Direction withRange(int start, int end) {
        return new Direction(name, space, vector, start, end, scale, provenance);
    }

    /** The same direction from row {@code start} through the last row. */
    public Direction fromRow(int start) {
        return fromRow(name, space, vector, start, scale, provenance);
    }

    public Direction withName(String name) {
        return new Direction(name, space, vector, start, end, scale, provenance);
    }

    /** The offset added to W+ row {@code r} per unit of strength (times {@code scale}), or null if the row is not edited. */
    public INDArray rowOffset(int r, int numWs) {
        if (r < start || r >= endFor(numWs)) return null;
        INDArray v = space == LatentSpace.W ? vector : vector.getRow(r);
        return v.mul(scale);
    }

    /**
     * The edited latents.
     *
     * @param ws       {@code [N, num_ws, w_dim]} (any float type; the result has the same type)
     * @param strength edit strength in the direction's units (see {@link #scale()})
     * @return a new array; rows outside {@code [start, end)} are copies of the input
     */
    public INDArray apply(INDArray ws, double strength) {
        if (ws.rank() != 3 || ws.size(2) != wDim())
            throw new IllegalArgumentException("direction " + name + ": ws must be [N, num_ws, w_dim=" + wDim() + "], got " + Arrays.toString(ws.shape()));
        int numWs = (int) ws.size(1);
        if (space == LatentSpace.W_PLUS && vector.size(0) != numWs)
            throw new IllegalArgumentException("direction " + name + ": W+ direction has " + vector.size(0) + " rows, ws has " + numWs);
        if (start >= numWs) throw new IllegalArgumentException("direction " + name + ": range starts at row " + start + " but ws has " + numWs + " rows");
        INDArray out = ws.dup('c');
        if (strength == 0) return out;
        for (int r = start; r < endFor(numWs); r++) {
            INDArray off = rowOffset(r, numWs).muli(strength).castTo(ws.dataType());
            out.get(NDArrayIndex.all(), NDArrayIndex.point(r), NDArrayIndex.all()).addiRowVector(off);
        }
        return out;
    }

    /** {@link #apply} for each strength: {@code [S * N, num_ws, w_dim]}, strength-major (all N latents for strength 0, then 1, ...). */
    public INDArray applyAll(INDArray ws, double[] strengths) {
        INDArray[] parts = new INDArray[strengths.length];
        for (int i = 0; i < strengths.length; i++) parts[i] = apply(ws, strengths[i]);
        return Nd4j.concat(0, parts);
    }

    /** Weighted sum of directions; see {@link #sum(List, double[], int)}. {@code num_ws} is taken from the inputs when a W+ result is needed. */
    public static Direction sum(List<Direction> directions, double[] weights) {
        return sum(directions, weights, -1);
    }

    /**
     * Weighted sum {@code sum_i weights[i] * scale_i * v_i} (each direction's scale is folded in, so
     * the sum has scale 1 and strength 1 equals applying every input with strength {@code weights[i]}).
     *
     * <p>If every input is a W direction on the same rows, the result is a W direction on those
     * rows. Otherwise the result is a W+ direction on all rows, each input contributing only to its
     * own rows; {@code num_ws} comes from a W+ input, else from the largest finite range end, else
     * from {@code numWs} (which must then be given, &gt; 0).
     */
    public static Direction sum(List<Direction> directions, double[] weights, int numWs) {
        if (directions.isEmpty()) throw new IllegalArgumentException("sum of no directions");
        if (weights.length != directions.size())
            throw new IllegalArgumentException(directions.size() + " directions but " + weights.length + " weights");
        long wDim = directions.get(0).wDim();
        StringBuilder name = new StringBuilder();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("names", directions.stream().map(Direction::name).toList());
        params.put("weights", Arrays.stream(weights).boxed().toList());
        boolean sameW = true;
        for (int i = 0; i < directions.size(); i++) {
            Direction d = directions.get(i);
            if (d.wDim() != wDim) throw new IllegalArgumentException("direction " + d.name + " has w_dim " + d.wDim() + ", expected " + wDim);
            if (d.space != LatentSpace.W || d.start != directions.get(0).start || !d.end.equals(directions.get(0).end)) sameW = false;
            if (i > 0) name.append('+');
            name.append(weights[i]).append('*').append(d.name);
        }
        Provenance prov = new Provenance("sum", params);
        if (sameW) {
            INDArray v = Nd4j.zeros(DataType.DOUBLE, wDim);
            for (int i = 0; i < directions.size(); i++) v.addi(directions.get(i).vector.mul(weights[i] * directions.get(i).scale));
            Direction d0 = directions.get(0);
            return new Direction(name.toString(), LatentSpace.W, v, d0.start, d0.end, 1.0, prov);
        }
        int n = -1;
        for (Direction d : directions) if (d.space == LatentSpace.W_PLUS) n = (int) d.vector.size(0);
        if (n < 0) for (Direction d : directions) if (d.end.isPresent()) n = Math.max(n, d.end.getAsInt());
        boolean open = directions.stream().anyMatch(d -> d.end.isEmpty());
        if (open || n < 0) {
            if (numWs > 0) n = Math.max(n, numWs);
            else if (open) throw new IllegalArgumentException("sum of directions with different rows: num_ws is unknown (a direction runs to the last row); pass numWs");
        }
        if (numWs > 0 && n != numWs && directions.stream().anyMatch(d -> d.space == LatentSpace.W_PLUS))
            throw new IllegalArgumentException("W+ directions have " + n + " rows, numWs is " + numWs);
        INDArray v = Nd4j.zeros(DataType.DOUBLE, n, wDim);
        for (int i = 0; i < directions.size(); i++) {
            Direction d = directions.get(i);
            if (d.space == LatentSpace.W_PLUS && d.vector.size(0) != n)
                throw new IllegalArgumentException("direction " + d.name + " has " + d.vector.size(0) + " rows, expected " + n);
            for (int r = 0; r < n; r++) {
                INDArray off = d.rowOffset(r, n);
                if (off != null) v.getRow(r).addi(off.muli(weights[i]));
            }
        }
        return new Direction(name.toString(), LatentSpace.W_PLUS, v, 0, n, 1.0, prov);
    }
}
