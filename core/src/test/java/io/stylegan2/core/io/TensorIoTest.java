package io.stylegan2.core.io;

import io.stylegan2.core.testing.AllClose;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Npy, Safetensors and AtomicFiles. */
class TensorIoTest {
    @TempDir Path tmp;

    private static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int total = 10 + h.length() + 1;
        StringBuilder sb = new StringBuilder(h);
        while ((total++) % 64 != 0) sb.append(' ');
        sb.append('\n');
        byte[] hb = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) hb.length).put(hb).put(data);
        return b.array();
    }

    @Test
    void npyReadsFixtureAndRoundTrips() throws IOException {
        INDArray z = Npy.read(Fixtures.path("rosinality/ros_s32_c64/z.npy"));
        assertThat(z.shape()).containsExactly(4, 64);
        assertThat(z.dataType()).isEqualTo(DataType.FLOAT);
        Path p = tmp.resolve("z.npy");
        Npy.writeFloat32(p, z);
        assertThat(Files.readAllBytes(p)).isEqualTo(Files.readAllBytes(Fixtures.path("rosinality/ros_s32_c64/z.npy")));
        INDArray f64 = Npy.read(Fixtures.path("rosinality/ros_s32_c64/img_trunc1.0_f64.npy"));
        assertThat(f64.dataType()).isEqualTo(DataType.DOUBLE);
        Path q = tmp.resolve("d.npy");
        Npy.writeFloat64(q, f64);
        assertThat(Npy.read(q).equals(f64)).isTrue();
        INDArray scalar = Nd4j.scalar(2.5f);
        Npy.writeFloat32(tmp.resolve("s.npy"), scalar);
        assertThat(Npy.read(tmp.resolve("s.npy")).rank()).isZero();
    }

    @Test
    void npyBigEndianFortranAndInts() {
        ByteBuffer d = ByteBuffer.allocate(6 * 8).order(ByteOrder.BIG_ENDIAN);
        // logical [[0,1,2],[3,4,5]] stored column-major: 0,3,1,4,2,5
        for (double v : new double[]{0, 3, 1, 4, 2, 5}) d.putDouble(v);
        INDArray a = Npy.read(npy(">f8", true, "(2, 3)", d.array()));
        assertThat(a.toDoubleMatrix()).isEqualTo(new double[][]{{0, 1, 2}, {3, 4, 5}});
        ByteBuffer l = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-1).putLong(1L << 40);
        INDArray li = Npy.read(npy("<i8", false, "(3,)", l.array()));
        assertThat(li.dataType()).isEqualTo(DataType.LONG);
        assertThat(li.toLongVector()).containsExactly(7, -1, 1L << 40);
        INDArray u = Npy.read(npy("|u1", false, "(2,)", new byte[]{(byte) 200, 3}));
        assertThat(u.getInt(0)).isEqualTo(200);
        INDArray bo = Npy.read(npy("|b1", false, "(2,)", new byte[]{1, 0}));
        assertThat(bo.dataType()).isEqualTo(DataType.BOOL);
        ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(5).putInt(-6);
        assertThat(Npy.read(npy(">i4", false, "(2,)", i4.array())).toIntVector()).containsExactly(5, -6);
        assertThatThrownBy(() -> Npy.read(npy("|O", false, "(2,)", new byte[16]))).hasMessageContaining("unsupported dtype");
        assertThatThrownBy(() -> Npy.read(npy("<f4", false, "(4,)", new byte[8]))).hasMessageContaining("truncated");
    }

    @Test
    void npyTruncatedFileNamesFile() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.path("rosinality/ros_s32_c64/z.npy"));
        Path p = tmp.resolve("cut.npy");
        Files.write(p, Arrays.copyOf(b, b.length - 10));
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(IOException.class).hasMessageContaining("cut.npy").hasMessageContaining("truncated");
    }

    @Test
    void safetensorsRoundTripExactWithMetadata() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("a.weight", Nd4j.rand(DataType.FLOAT, 3, 4, 2));
        t.put("scalar", Nd4j.scalar(0.125f));
        t.put("b", Nd4j.rand(DataType.FLOAT, 5).sub(0.5));
        t.put("view", Nd4j.rand(DataType.FLOAT, 4, 6).transpose());
        Path p = tmp.resolve("m.safetensors");
        Safetensors.write(p, t, Map.of("format", "test/1", "json", "{\"x\": [1,2]}"));
        Safetensors.Contents c = Safetensors.read(p);
        assertThat(c.metadata()).containsEntry("format", "test/1").containsEntry("json", "{\"x\": [1,2]}");
        assertThat(c.tensors().keySet()).containsExactly("a.weight", "scalar", "b", "view");
        for (String k : t.keySet()) {
            assertThat(c.tensors().get(k).shape()).as(k).isEqualTo(t.get(k).shape());
            assertThat(TensorBytes.toFloats(c.tensors().get(k))).as(k).isEqualTo(TensorBytes.toFloats(t.get(k)));
        }
        assertThat(Files.size(p) % 8).isZero();
        assertThat(Files.list(tmp).count()).isEqualTo(1); // no temp files left
    }

    @Test
    void safetensorsReadsOtherDtypesAndRejectsCorruption() throws IOException {
        // hand-built file: F16 [2] = {1.0, -2.0}, I64 [1] = 9, BF16 [1] = 1.5
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[12,14]}}";
        ByteBuffer data = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00).putShort((short) 0xc000).putLong(9).putShort((short) 0x3fc0);
        Path p = tmp.resolve("x.safetensors");
        Files.write(p, st(json, data.array()));
        Safetensors.Contents c = Safetensors.read(p);
        assertThat(c.tensors().get("h").toFloatVector()).containsExactly(1f, -2f);
        assertThat(c.tensors().get("l").dataType()).isEqualTo(DataType.LONG);
        assertThat(c.tensors().get("bf").getFloat(0)).isEqualTo(1.5f);

        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(p), (int) Files.size(p) - 3));
        assertThatThrownBy(() -> Safetensors.read(cut)).isInstanceOf(IOException.class)
                .hasMessageContaining("cut.safetensors").hasMessageContaining("'l'").hasMessageContaining("truncated");
        Path ov = tmp.resolve("ov.safetensors");
        Files.write(ov, st(json.replace("[4,12]", "[2,10]").replace("[12,14]", "[10,12]"), data.array()));
        assertThatThrownBy(() -> Safetensors.read(ov)).hasMessageContaining("overlap");
        Path sz = tmp.resolve("sz.safetensors");
        Files.write(sz, st(json.replace("[2],", "[3],"), data.array()));
        assertThatThrownBy(() -> Safetensors.read(sz)).hasMessageContaining("'h'").hasMessageContaining("needs 6");
        Path junk = tmp.resolve("junk.safetensors");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThatThrownBy(() -> Safetensors.read(junk)).hasMessageContaining("junk.safetensors");
    }

    @Test
    void safetensorsHeaderLimitsAreCheckedBeforeAllocationAndQuotesAreShort() throws IOException {
        // 200 000 empty tensors: a 9 MB header that would make 200 000 arrays
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 200_000; i++) many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        Path p = tmp.resolve("many.safetensors");
        Files.write(p, st(many.append('}').toString(), new byte[0]));
        assertThatThrownBy(() -> Safetensors.read(p)).isInstanceOf(IOException.class).hasMessageContaining("many.safetensors")
                .hasMessageContaining("more than 100000 entries").hasMessageContaining("-Dstylegan2.safetensors.max-entries");
        // rank 40
        Path rank = tmp.resolve("rank.safetensors");
        Files.write(rank, st("{\"r\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(39) + "1],\"data_offsets\":[0,4]}}", new byte[4]));
        assertThatThrownBy(() -> Safetensors.read(rank)).hasMessageContaining("'r'").hasMessageContaining("40 dimensions");
        // JSON nested 100 000 deep in the metadata: a clean error, not a stack overflow
        Path deep = tmp.resolve("deep.safetensors");
        Files.write(deep, st("{\"__metadata__\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", new byte[0]));
        assertThatThrownBy(() -> Safetensors.read(deep)).isInstanceOf(IOException.class).hasMessageContaining("deep.safetensors");
        // a 1 MB tensor name and dtype are quoted shortened
        String longName = "n".repeat(1 << 20);
        Path quoted = tmp.resolve("quoted.safetensors");
        Files.write(quoted, st("{\"" + longName + "\":{\"dtype\":\"" + longName + "\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        assertThatThrownBy(() -> Safetensors.read(quoted)).hasMessageContaining("unsupported dtype")
                .hasMessageContaining("(1048576 characters)").satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
        // the header size limit, lowered by its system property (and a bad value of it)
        Path small = tmp.resolve("small.safetensors");
        Safetensors.write(small, Map.of("x", Nd4j.ones(DataType.FLOAT, 2)), Map.of());
        String key = Safetensors.Limits.PROPERTY_PREFIX + "max-header-bytes";
        try {
            System.setProperty(key, "16");
            assertThatThrownBy(() -> Safetensors.read(small)).hasMessageContaining("larger than 16").hasMessageContaining(key);
            System.setProperty(key, "lots");
            assertThatThrownBy(() -> Safetensors.read(small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key + "=lots");
        } finally {
            System.clearProperty(key);
        }
        assertThat(Safetensors.read(small).tensors().get("x").toFloatVector()).containsExactly(1f, 1f);
    }

    private static byte[] st(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(data).array();
    }

    @Test
    void atomicWriteLeavesNothingOnFailure() throws IOException {
        Path target = tmp.resolve("out.bin");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[100]);
            throw new IOException("boom");
        })).hasMessage("boom");
        assertThat(Files.list(tmp).count()).isZero();
        AtomicFiles.write(target, new byte[]{1, 2});
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2);
    }
}
