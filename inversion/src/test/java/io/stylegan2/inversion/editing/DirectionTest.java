package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DirectionTest {
    @TempDir Path dir;

    private static INDArray row(INDArray ws, int n, int r) {
        return ws.get(NDArrayIndex.point(n), NDArrayIndex.point(r), NDArrayIndex.all());
    }

    @Test
    void applyChangesOnlyTheRangeAndStrengthZeroIsIdentity() {
        Nd4j.getRandom().setSeed(1);
        INDArray ws = Nd4j.randn(DataType.FLOAT, 2, 6, 4);
        Direction d = new Direction("d", LatentSpace.W, Nd4j.createFromArray(1.0, 0, 0, 0), 1, 3, 2.0, Provenance.of("manual"));
        INDArray e = d.apply(ws, 1.5);
        assertThat(e.dataType()).isEqualTo(DataType.FLOAT);
        for (int n = 0; n < 2; n++)
            for (int r = 0; r < 6; r++) {
                INDArray diff = row(e, n, r).sub(row(ws, n, r));
                if (r == 1 || r == 2) {
                    assertThat(diff.getDouble(0)).isCloseTo(3.0, within(1e-6));
                    assertThat(diff.getDouble(1)).isZero();
                } else {
                    assertThat(row(e, n, r)).isEqualTo(row(ws, n, r));
                }
            }
        assertThat(d.apply(ws, 0)).isEqualTo(ws);
        assertThat(d.apply(ws, 0)).isNotSameAs(ws);
        // to the last row
        Direction all = Direction.w("all", Nd4j.createFromArray(0, 1.0, 0, 0), Provenance.of("manual"));
        INDArray a = all.apply(ws, -1);
        for (int r = 0; r < 6; r++) assertThat(row(a, 0, r).getDouble(1) - row(ws, 0, r).getDouble(1)).isCloseTo(-1, within(1e-6));
    }

    @Test
    void wPlusDirection() {
        INDArray v = Nd4j.zeros(DataType.DOUBLE, 6, 4);
        v.putScalar(new long[]{4, 2}, 1.0);
        v.putScalar(new long[]{0, 2}, 5.0);   // outside the range: ignored
        Direction d = new Direction("p", LatentSpace.W_PLUS, v, 2, 6, 1.0, null);
        INDArray ws = Nd4j.zeros(DataType.FLOAT, 1, 6, 4);
        INDArray e = d.apply(ws, 2);
        assertThat(e.sumNumber().doubleValue()).isCloseTo(2.0, within(1e-9));
        assertThat(e.getDouble(0, 4, 2)).isCloseTo(2.0, within(1e-9));
        assertThatThrownBy(() -> d.apply(Nd4j.zeros(DataType.FLOAT, 1, 5, 4), 1)).hasMessageContaining("rows");
    }

    @Test
    void weightedSum() {
        Direction a = new Direction("a", LatentSpace.W, Nd4j.createFromArray(1.0, 0, 0), 0, 4, 2.0, null);
        Direction b = new Direction("b", LatentSpace.W, Nd4j.createFromArray(0, 1.0, 0), 0, 4, 1.0, null);
        Direction s = Direction.sum(List.of(a, b), new double[]{0.5, -3});
        assertThat(s.space()).isEqualTo(LatentSpace.W);
        assertThat(s.vector().toDoubleVector()).containsExactly(1.0, -3.0, 0.0);
        assertThat(s.provenance().method()).isEqualTo("sum");
        // different ranges: a W+ sum equal to applying both
        Direction c = new Direction("c", LatentSpace.W, Nd4j.createFromArray(0, 0, 1.0), 2, 4, 1.0, null);
        Direction s2 = Direction.sum(List.of(a, c), new double[]{1, 2});
        assertThat(s2.space()).isEqualTo(LatentSpace.W_PLUS);
        Nd4j.getRandom().setSeed(2);
        INDArray ws = Nd4j.randn(DataType.DOUBLE, 1, 4, 3);
        INDArray expected = c.apply(a.apply(ws, 1), 2);
        assertThat(s2.apply(ws, 1).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-12);
    }

    @Test
    void saveLoadRoundTrip() throws Exception {
        Direction a = new Direction("pc0", LatentSpace.W, Nd4j.createFromArray(0.6, 0.8), 0, 3, 1.7,
                new Provenance("ganspace", Map.of("samples", 100, "eigenvalue", 2.89)));
        Direction b = new Direction("edit/x", LatentSpace.W_PLUS, Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}, {0.5, 0.5}}), 1, 3, 1.0, null);
        Direction c = Direction.w("open", Nd4j.createFromArray(0.0, 1.0), Provenance.of("interfacegan"));
        Path f = dir.resolve("dirs.safetensors");
        new DirectionSet(List.of(a, b, c)).save(f);
        DirectionSet s = DirectionSet.load(f);
        assertThat(s.names()).containsExactly("pc0", "edit/x", "open");
        Direction a2 = s.get("pc0");
        assertThat(a2.space()).isEqualTo(LatentSpace.W);
        assertThat(a2.start()).isZero();
        assertThat(a2.end()).hasValue(3);
        assertThat(a2.scale()).isEqualTo(1.7);
        assertThat(a2.vector().toDoubleVector()).containsExactly(new double[]{0.6, 0.8}, within(1e-7));
        assertThat(a2.provenance().method()).isEqualTo("ganspace");
        assertThat(((Number) a2.provenance().params().get("samples")).intValue()).isEqualTo(100);
        Direction b2 = s.select("1");
        assertThat(b2.name()).isEqualTo("edit/x");
        assertThat(b2.space()).isEqualTo(LatentSpace.W_PLUS);
        assertThat(b2.vector().shape()).containsExactly(3, 2);
        assertThat(s.select("open").end()).isEmpty();
        assertThatThrownBy(() -> s.select("nope")).hasMessageContaining("pc0");
        try (var l = Files.list(dir)) {
            assertThat(l.count()).as("no temp files").isEqualTo(1);
        }
        assertThatThrownBy(() -> new DirectionSet(List.of(a, a))).hasMessageContaining("duplicate");
    }

    @Test
    void layerRanges() {
        assertThat(LayerRange.parse("0-4", 14)).isEqualTo(new LayerRange(0, 5));
        assertThat(LayerRange.parse("3", 14)).isEqualTo(new LayerRange(3, 4));
        assertThat(LayerRange.parse("all", 14)).isEqualTo(new LayerRange(0, 14));
        assertThat(LayerRange.parse("coarse", 14)).isEqualTo(new LayerRange(0, 4));
        assertThat(LayerRange.parse("middle", 14)).isEqualTo(new LayerRange(4, 8));
        assertThat(LayerRange.parse("fine", 18)).isEqualTo(new LayerRange(8, 18));
        assertThatThrownBy(() -> LayerRange.parse("0-20", 14)).hasMessageContaining("past");
        assertThatThrownBy(() -> LayerRange.parse("x", 14)).hasMessageContaining("bad layer range");
    }
}
