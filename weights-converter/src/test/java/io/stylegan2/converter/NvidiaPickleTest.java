package io.stylegan2.converter;

import io.stylegan2.core.io.TensorBytes;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * NVIDIA training pickles and the unpickler's allow-list.
 *
 * <p>{@code src/test/resources/nvidia/network-snapshot-s32.pkl} was written by
 * {@code src/test/python/make_nvidia_pickle.py} (plain Python {@code pickle} + numpy, no torch): it
 * has the structure of a stylegan2-ada-pytorch {@code network-snapshot-*.pkl} (persistent modules
 * via {@code torch_utils.persistence._reconstruct_persistent_obj(meta)}, parameters via
 * {@code _rebuild_parameter}, tensors via {@code _rebuild_tensor_v2} on storages embedded with
 * {@code torch.storage._load_from_bytes} as legacy torch.save bytes tagged 'cuda:0',
 * non-contiguous strides and storage offsets, numpy float64 attributes, EasyDict kwargs) holding
 * the nvlabs/nv_s32_c64 tensors (G_ema and D as is, G = G_ema * 1.01). Its {@code module_src}
 * strings contain a shell command that must never run. The malicious pickles below are built byte
 * by byte in the tests.
 */
class NvidiaPickleTest {
    @TempDir Path tmp;

    private static Path snapshot() throws URISyntaxException {
        return Path.of(NvidiaPickleTest.class.getResource("/nvidia/network-snapshot-s32.pkl").toURI());
    }

    @Test
    void convertsSnapshotLikeTheStateDicts() throws Exception {
        Path pkl = snapshot();
        assertThat(TorchFiles.detect(pkl)).isEqualTo(TorchFiles.Format.PICKLE);
        Map<?, ?> top = (Map<?, ?>) TorchFiles.load(pkl);
        assertThat(TorchFiles.keys(top)).containsExactly("training_set_kwargs", "G", "D", "G_ema", "augment_pipe");
        PickledObject gEma = (PickledObject) top.get("G_ema");
        assertThat(gEma.className()).isEqualTo("Generator");
        assertThat(gEma.initKwargs()).containsEntry("z_dim", 64);
        assertThat(gEma.state()).doesNotContainKey("module_src");

        NativeModel m = Converter.convert(pkl, tmp.resolve("nv.safetensors"), ConvertOptions.defaults());
        assertThat(m.generatorConfig()).isEqualTo(GeneratorConfig.nvlabs(64, 64, 2, 32, 3, 1024, 64));
        assertThat(m.discriminatorConfig()).isEqualTo(DiscriminatorConfig.nvlabs(32, 3, 1024, 64));
        assertThat(m.metadata().get("source")).contains("NVIDIA_PICKLE").contains("G_ema");
        Path dir = Fixtures.path("nvlabs/nv_s32_c64");
        NativeModel ref = Converter.load(java.util.List.of(dir), ConvertOptions.defaults());
        assertThat(m.generator().keySet()).isEqualTo(ref.generator().keySet());
        assertThat(m.discriminator().keySet()).isEqualTo(ref.discriminator().keySet());
        for (Map.Entry<String, INDArray> e : ref.generator().entrySet()) {
            assertThat(m.generator().get(e.getKey()).shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
            assertThat(TensorBytes.toFloats(m.generator().get(e.getKey()))).as(e.getKey()).isEqualTo(TensorBytes.toFloats(e.getValue()));
        }
        for (Map.Entry<String, INDArray> e : ref.discriminator().entrySet())
            assertThat(TensorBytes.toFloats(m.discriminator().get(e.getKey()))).as(e.getKey()).isEqualTo(TensorBytes.toFloats(e.getValue()));

        NativeModel g = Converter.load(java.util.List.of(pkl), ConvertOptions.defaults().withGenerator("g"));
        String w = "synthesis.b16.conv0.weight";
        io.stylegan2.core.testing.AllClose.assertAllClose("G = 1.01 * G_ema", g.generator().get(w), ref.generator().get(w).mul(1.01), 1e-6, 1e-7);
        assertThat(TensorBytes.toFloats(g.generator().get(w))).isNotEqualTo(TensorBytes.toFloats(ref.generator().get(w)));
    }

    @Test
    void truncatedSnapshotFailsWithoutOutput() throws Exception {
        byte[] b = Files.readAllBytes(snapshot());
        for (int len : new int[]{b.length - 1, b.length / 2, 100}) {
            Path cut = tmp.resolve("cut" + len + ".pkl");
            Files.write(cut, java.util.Arrays.copyOf(b, len));
            Path out = tmp.resolve("out" + len + ".safetensors");
            assertThatThrownBy(() -> Converter.convert(cut, out, ConvertOptions.defaults()))
                    .isInstanceOf(IOException.class).hasMessageContaining(cut.toString());
            assertThat(Files.exists(out)).isFalse();
        }
    }

    @Test
    void initKwargsOverrideOptions() throws IOException {
        Map<String, INDArray> t = Converter.load(java.util.List.of(Fixtures.path("nvlabs/nv_s32_c64/G_ema.state_dict.pt")), ConvertOptions.defaults()).generator();
        Map<String, Object> kw = Map.of("z_dim", 64L, "c_dim", 0L,
                "mapping_kwargs", Map.of("lr_multiplier", 0.05), "synthesis_kwargs", new java.util.HashMap<>(Map.of("conv_clamp", 256L)));
        GeneratorConfig c = Converter.inferGenerator(Path.of("x"), t, kw, ConvertOptions.defaults());
        assertThat(c.lrMultiplier()).isEqualTo(0.05);
        assertThat(c.convClamp()).isEqualTo(256.0);
        assertThatThrownBy(() -> Converter.inferGenerator(Path.of("x"), t, Map.of("c_dim", 10L), ConvertOptions.defaults()))
                .hasMessageContaining("conditional");
    }

    /** Protocol 2: {@code os.system('echo pwned')} via GLOBAL + REDUCE. */
    private static byte[] osSystemPickle(String marker) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80); b.write(2);
        b.writeBytes("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        byte[] cmd = ("touch " + marker).getBytes(StandardCharsets.US_ASCII);
        b.write('X'); b.write(cmd.length); b.write(0); b.write(0); b.write(0); b.writeBytes(cmd);
        b.write(0x85); // TUPLE1
        b.write('R');
        b.write('.');
        return b.toByteArray();
    }

    /** Protocol 4: {@code {'x': builtins.eval('1+1')}} via STACK_GLOBAL. */
    private static byte[] evalPickle() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80); b.write(4);
        b.write('}'); // EMPTY_DICT
        b.write(0x8c); b.write(1); b.write('x'); // SHORT_BINUNICODE 'x'
        b.write(0x8c); b.write(8); b.writeBytes("builtins".getBytes(StandardCharsets.US_ASCII));
        b.write(0x8c); b.write(4); b.writeBytes("eval".getBytes(StandardCharsets.US_ASCII));
        b.write(0x93); // STACK_GLOBAL
        b.write(0x8c); b.write(3); b.writeBytes("1+1".getBytes(StandardCharsets.US_ASCII));
        b.write(0x85); b.write('R'); b.write('s'); b.write('.');
        return b.toByteArray();
    }

    @Test
    void rejectsUnsafeGlobalsWithoutRunningThem() throws IOException {
        Path marker = tmp.resolve("pwned");
        Path p1 = tmp.resolve("evil1.pkl");
        Files.write(p1, osSystemPickle(marker.toString()));
        assertThatThrownBy(() -> TorchFiles.load(p1)).isInstanceOf(UnsafePickleException.class)
                .hasMessageContaining("os.system").hasMessageContaining("evil1.pkl")
                .satisfies(e -> assertThat(((UnsafePickleException) e).global()).isEqualTo("os.system"));
        assertThatThrownBy(() -> Converter.convert(p1, tmp.resolve("o.safetensors"), ConvertOptions.defaults()))
                .isInstanceOf(UnsafePickleException.class).hasMessageContaining("os.system");
        Path p2 = tmp.resolve("evil2.pkl");
        Files.write(p2, evalPickle());
        assertThatThrownBy(() -> TorchFiles.load(p2)).isInstanceOf(UnsafePickleException.class).hasMessageContaining("builtins.eval");
        assertThat(Files.exists(marker)).isFalse();
        assertThat(Files.exists(tmp.resolve("o.safetensors"))).isFalse();
        // the same inside a torch zip: data.pkl with os.system
        Path zip = tmp.resolve("evil.pt");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("evil/data.pkl"));
            z.write(osSystemPickle(marker.toString()));
            z.closeEntry();
        }
        assertThatThrownBy(() -> TorchFiles.load(zip)).isInstanceOf(UnsafePickleException.class).hasMessageContaining("os.system");
        assertThat(Files.exists(marker)).isFalse();
    }

    @Test
    void allowListIsNarrow() {
        assertThat(RestrictedUnpickler.isAllowed("torch._utils", "_rebuild_tensor_v2")).isTrue();
        assertThat(RestrictedUnpickler.isAllowed("torch", "FloatStorage")).isTrue();
        assertThat(RestrictedUnpickler.isAllowed("training.networks", "Generator")).isTrue();
        assertThat(RestrictedUnpickler.isAllowed("torch", "load")).isFalse();
        assertThat(RestrictedUnpickler.isAllowed("builtins", "getattr")).isFalse();
        assertThat(RestrictedUnpickler.isAllowed("training.networks", "__import__")).isFalse();
        assertThat(RestrictedUnpickler.isAllowed("subprocess", "Popen")).isFalse();
        assertThat(RestrictedUnpickler.isAllowed("torch_utils.persistence", "_src_to_module")).isFalse();
    }
}
