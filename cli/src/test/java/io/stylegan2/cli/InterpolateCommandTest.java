package io.stylegan2.cli;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.Interpolation;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.jcodec.api.FrameGrab;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.Picture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code interpolate} on a tiny random model: key frames equal the keys' own images, the GIF and MP4 decode with every frame. */
class InterpolateCommandTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void seedsInWAndZWriteFramesGifAndMp4WhoseKeysAreTheSeedsImages() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 4);
        Path o = dir.resolve("w");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--seeds", "1,2,3", "--frames", "4", "--fps", "8", "--out", o.toString()))
                .as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("3 keys, lerp in W+, 9 frames").contains("interpolation.gif").contains("interpolation.mp4");
        assertThat(frames(o)).isEqualTo(9);
        try (Generator g = generator(model)) {
            INDArray ws = g.mapping(Seeds.z(new long[]{1, 2, 3}, g.config().zDim()));
            for (int k = 0; k < 3; k++)   // frames 0, 4, 8 are the keys
                assertThat(Images.read(o.resolve("frames").resolve(String.format("frame_%05d.png", 4 * k)), 3))
                        .isEqualTo(png(g.synthesis(ws.get(NDArrayIndex.interval(k, k + 1), NDArrayIndex.all(), NDArrayIndex.all()), NoiseMode.CONST, 0)));
            // frame 2 is the W+ midpoint of seeds 1 and 2
            INDArray mid = Interpolation.lerp(ws.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all()),
                    ws.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all(), NDArrayIndex.all()), 0.5);
            assertThat(Images.read(o.resolve("frames/frame_00002.png"), 3)).isEqualTo(png(g.synthesis(mid, NoiseMode.CONST, 0)));
        }
        assertThat(gifFrames(o.resolve("interpolation.gif"))).isEqualTo(9);
        assertThat(mp4Frames(o.resolve("interpolation.mp4"))).isEqualTo(9);
        try (Stream<Path> s = Files.list(o)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).as("no temporary file left").isEmpty();
        }

        // Z: slerp, a loop back to the first key, GIF only
        Path z = dir.resolve("z");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--seeds", "1,2", "--space", "z", "--frames", "3", "--loop", "--video", "gif",
                "--out", z.toString())).as(cli.err()).isZero();
        assertThat(frames(z)).isEqualTo(6);
        assertThat(z.resolve("interpolation.gif")).isRegularFile();
        assertThat(z.resolve("interpolation.mp4")).doesNotExist();
    }

    @Test
    void wFilesAreKeysAndBadArgumentsAreUsageErrors() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 4);
        Path a = dir.resolve("a.npy"), b = dir.resolve("b.npy");
        try (Generator g = generator(model)) {
            Npy.writeFloat32(a, g.mapping(Seeds.z(new long[]{5}, g.config().zDim())).reshape(g.config().numWs(), g.config().wDim()).castTo(DataType.FLOAT));
            Npy.writeFloat32(b, g.mapping(Seeds.z(new long[]{6}, g.config().zDim())).get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).castTo(DataType.FLOAT));
        }
        Path o = dir.resolve("files");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--w", a.toString(), b.toString(), "--frames", "2", "--video", "none", "--out", o.toString()))
                .as(cli.err()).isZero();
        assertThat(cli.out()).contains("one W+ code");
        assertThat(frames(o)).isEqualTo(3);
        assertThat(o.resolve("interpolation.gif")).doesNotExist();

        assertThat(cli.run("interpolate", "--model", model.toString(), "--w", a.toString(), "--space", "z", "--out", o.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--space z needs --seeds");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--seeds", "1", "--out", o.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("at least two keys");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--seeds", "1,2", "--video", "avi", "--out", o.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--video: expected gif, mp4");
        assertThat(cli.run("interpolate", "--model", model.toString(), "--seeds", "1,2", "--frames", "0", "--out", o.toString())).isEqualTo(2);
    }

    static int gifFrames(Path gif) throws IOException {
        ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            r.setInput(in);
            return r.getNumImages(true);
        } finally {
            r.dispose();
        }
    }

    static int mp4Frames(Path mp4) throws Exception {
        try (var ch = NIOUtils.readableChannel(mp4.toFile())) {
            FrameGrab grab = FrameGrab.createFrameGrab(ch);
            int n = 0;
            Picture p;
            while ((p = grab.getNativeFrame()) != null) {
                assertThat(p.getWidth() % 2).isZero();
                n++;
            }
            return n;
        }
    }

    private static long frames(Path o) throws IOException {
        try (Stream<Path> s = Files.list(o.resolve("frames"))) {
            return s.count();
        }
    }

    private static Generator generator(Path model) throws IOException {
        NativeModel m = ModelOption.read(model);
        return Generator.create(m.generatorConfig(), m.generator());
    }

    /** The pixels of an image as a PNG stores them. */
    private INDArray png(INDArray img) throws IOException {
        Path p = Files.createTempFile(dir, "img", ".png");
        Images.writePng(io.stylegan2.inversion.ReconstructionMetrics.clamp(img), p);
        return Images.read(p, 3);
    }
}
