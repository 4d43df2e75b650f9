package io.stylegan2.converter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Small crafted files that crashed, hung or exhausted the readers (issue "Reliability and security",
 * findings 1-3 and the duplicate zip entries of 7), each made here by code: every one now fails fast
 * with an {@link IOException} naming the file and the reason, a short message, and no error escaping
 * as a {@code StackOverflowError} or {@code OutOfMemoryError}.
 */
class HostileFilesTest {
    @TempDir Path tmp;

    /** Writes pickle opcodes. */
    static final class Pickle {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Pickle() { b.write(0x80); b.write(2); }                       // PROTO 2

        Pickle op(char c) { b.write(c); return this; }
        Pickle op(int c) { b.write(c); return this; }
        Pickle repeat(String ops, int n) { byte[] o = ops.getBytes(StandardCharsets.ISO_8859_1); for (int i = 0; i < n; i++) b.writeBytes(o); return this; }
        Pickle str(String s) { byte[] u = s.getBytes(StandardCharsets.UTF_8); op('X'); le(u.length, 4); b.writeBytes(u); return this; }
        Pickle bytes(byte[] d) { op('B'); le(d.length, 4); b.writeBytes(d); return this; }
        Pickle global(String module, String name) { op('c'); b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII)); return this; }
        Pickle int1(int v) { op('K'); b.write(v); return this; }
        Pickle long8(long v) { op(0x8a); b.write(8); le(v, 8); return this; }
        Pickle le(long v, int n) { for (int i = 0; i < n; i++) b.write((int) (v >>> (8 * i)) & 0xff); return this; }
        byte[] stop() { op('.'); return b.toByteArray(); }
    }

    private Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    private static byte[] deepLists(int n) {
        return new Pickle().repeat("]", n).repeat("a", n - 1).stop();
    }

    /** A legacy torch.save stream: magic, protocol 1001, sys info, {@code main}, an empty storage key list. */
    private static byte[] legacy(byte[] main) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] magic = new BigInteger("1950a86a20f9469cfc6c", 16).toByteArray();
        Pickle m = new Pickle().op(0x8a).op(magic.length);
        for (int i = magic.length - 1; i >= 0; i--) m.b.write(magic[i]);
        o.writeBytes(m.stop());
        o.writeBytes(new Pickle().op('M').le(1001, 2).stop());
        o.writeBytes(new Pickle().op('}').stop());
        o.writeBytes(main);
        o.writeBytes(new Pickle().op(']').stop());
        return o.toByteArray();
    }

    private Path zip(String name, String[] entries, byte[]... data) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream f = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(f)) {
            for (int i = 0; i < entries.length; i++) {
                z.putNextEntry(new ZipEntry(entries[i]));
                z.write(data[i]);
                z.closeEntry();
            }
        }
        return p;
    }

    private static void refused(Path file, String... reason) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> TorchFiles.load(file)).isInstanceOf(IOException.class)
                        .hasMessageContaining(file.toString()).hasMessageContainingAll(reason)
                        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(1000)));
    }

    @ParameterizedTest
    @ValueSource(ints = {10_000, 1_000_000})
    void deeplyNestedListsTuplesAndDictsAreRefused(int n) throws IOException {
        refused(write("lists.pkl", deepLists(n)), "nested more than 1000 levels", "max-depth");
        refused(write("tuples.pkl", new Pickle().op(')').repeat("\u0085", n).stop()), "nested more than 1000 levels");
        refused(write("dicts.pkl", new Pickle().op('}').repeat("K\u0000}", n - 1).repeat("s", n - 1).stop()), "nested more than 1000 levels");
    }

    @Test
    void deepNestingInsideATorchZipAndALegacyFileIsRefused() throws IOException {
        refused(zip("deep.pt", new String[]{"archive/data.pkl"}, deepLists(10_000)), "nested more than 1000 levels");
        refused(write("deep-legacy.pt", legacy(deepLists(10_000))), "nested more than 1000 levels");
    }

    @Test
    void nestedEmbeddedStorageStreamsAreRefused() throws IOException {
        byte[] inner = legacy(new Pickle().op(']').stop());
        for (int i = 0; i < 2000; i++)
            inner = legacy(new Pickle().global("torch.storage", "_load_from_bytes").bytes(inner).op(0x85).op('R').stop());
        byte[] outer = new Pickle().global("torch.storage", "_load_from_bytes").bytes(inner).op(0x85).op('R').stop();
        refused(write("nested-storages.pkl", outer), "_load_from_bytes streams nested more than 2 deep", "max-embedding-depth");
    }

    @Test
    void aListThatContainsItselfUsedAsADictKeyIsRefused() throws IOException {
        byte[] p = new Pickle().op('}').op(']').op('q').op(0).op('h').op(0).op('a').int1(1).op('s').stop();
        assertThat(p).hasSize(13);
        refused(write("self-key.pkl", p), "unhashable dict key");
        refused(write("self.pkl", new Pickle().op(']').op('q').op(0).op('h').op(0).op('a').stop()), "contains itself");
    }

    @Test
    void billionLaughsIsRefusedFastAsAKeyAsAValueAndInAMessage() throws IOException {
        // L0 = []; L(i+1) = [Li, Li] through the memo: 60 levels, 2^60 elements as a tree, ~500 bytes as a file
        String laughs = "]q\u00000" + "(h\u0000h\u0000lq\u00000".repeat(60) + "h\u0000";
        refused(write("laughs-key.pkl", new Pickle().op('}').repeat(laughs, 1).int1(1).op('s').stop()), "unhashable dict key");
        refused(write("laughs-value.pkl", new Pickle().op('}').int1(1).repeat(laughs, 1).op('s').stop()), "more than 10000000 elements", "max-elements");
        // a REDUCE on it: the error message renders it in a bounded way (it once rendered all 2^60 elements)
        refused(write("laughs-call.pkl", new Pickle().repeat(laughs, 1).op(')').op('R').stop()), "non-global callable");
    }

    private static byte[] tensorPickle(long numel) {
        return new Pickle().global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").long8(numel).op('t').op('Q')
                .int1(0).op('(').int1(4).op('t').op('(').int1(1).op('t').op(0x89).op('}').op('t').op('R').stop();
    }

    @Test
    void declaredSizesAreCheckedBeforeAnythingIsRead() throws IOException {
        // a storage claiming 2^40 floats: refused from the pickle alone
        refused(zip("huge-storage.pt", new String[]{"archive/data.pkl", "archive/data/0"}, tensorPickle(1L << 40), new byte[16]),
                "storage '0' declares 4398046511104 bytes", "max-storage-bytes");
        // a storage entry that inflates to 64 MiB for a 4-float tensor: only the 16 bytes the tensor needs are read
        byte[] big = new byte[64 << 20];
        ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1f).putFloat(4, 2f).putFloat(8, 3f).putFloat(12, 4f);
        Path bomb = zip("bomb.pt", new String[]{"archive/data.pkl", "archive/data/0"}, tensorPickle(4), big);
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        INDArray t = (INDArray) TorchFiles.load(bomb);
        assertThat(t.toFloatVector()).containsExactly(1f, 2f, 3f, 4f);
        // a data.pkl over the pickle limit (here lowered to 1 KiB), checked on the declared size and on what inflates
        ReaderLimits small = new ReaderLimits(1000, 10_000_000, 1024, 1L << 30, 1L << 31, 2);
        Path large = zip("large-pickle.pt", new String[]{"archive/data.pkl"}, new Pickle().str("x".repeat(4096)).stop());
        assertThatThrownBy(() -> TorchFiles.load(large, small)).hasMessageContainingAll(large.toString(), "data.pkl", "more than 1024", "max-pickle-bytes");
        Path plain = write("large.pkl", new Pickle().str("x".repeat(4096)).stop());
        assertThatThrownBy(() -> TorchFiles.load(plain, small)).hasMessageContainingAll(plain.toString(), "larger than 1024", "max-pickle-bytes");
        assertThat(TorchFiles.load(plain)).isEqualTo("x".repeat(4096));
    }

    @Test
    void duplicateZipEntriesAreRefused() throws IOException {
        Path z = zip("dup.pt", new String[]{"archive/data.pkl", "archive/data.pkX"}, new Pickle().int1(1).stop(), new Pickle().int1(2).stop());
        byte[] bytes = Files.readAllBytes(z);
        String s = new String(bytes, StandardCharsets.ISO_8859_1).replace("archive/data.pkX", "archive/data.pkl");
        Files.write(z, s.getBytes(StandardCharsets.ISO_8859_1));
        refused(z, "zip entry", "appears twice");
    }

    @Test
    void limitsAreReadFromSystemProperties() {
        assertThat(ReaderLimits.current()).isEqualTo(ReaderLimits.defaults());
        System.setProperty(ReaderLimits.PROPERTY_PREFIX + "max-depth", "12");
        try {
            assertThat(ReaderLimits.current().maxDepth()).isEqualTo(12);
            System.setProperty(ReaderLimits.PROPERTY_PREFIX + "max-depth", "lots");
            assertThatThrownBy(ReaderLimits::current).hasMessageContaining("stylegan2.converter.max-depth=lots");
        } finally {
            System.clearProperty(ReaderLimits.PROPERTY_PREFIX + "max-depth");
        }
    }
}
