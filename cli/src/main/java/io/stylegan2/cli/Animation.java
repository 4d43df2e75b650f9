package io.stylegan2.cli;

import io.stylegan2.core.io.AtomicFiles;
import org.jcodec.api.awt.AWTSequenceEncoder;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Rational;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams frames into an animated GIF and an H.264 MP4, each written to a temporary file and
 * renamed into place by {@link #finish} (a failed or abandoned run leaves neither). Frames are encoded as they come, so a long projection never holds its frames in memory.
 * No encoder is hand-written: the GIF is the JDK's ImageIO GIF writer (its own palette per frame;
 * the loop and delay set through the standard {@code javax_imageio_gif_image_1.0} metadata), the MP4
 * is jcodec's pure-Java H.264 encoder ({@code org.jcodec:jcodec-javase}, no ffmpeg binary). Frames
 * must all have one size; odd sides are padded with one white pixel (H.264 needs even sides).
 *
 * <p><b>Thread safety:</b> Not thread-safe: one writer per animation, used from one thread.
 */
final class Animation implements AutoCloseable {
    /** The files an animation can be written as. */
    enum Format { GIF, MP4 }

    private final Path gifTmp, mp4Tmp;
    private final List<Path> written = new ArrayList<>();
    private final int fps;
    private ImageWriter gifWriter;
    private ImageOutputStream gifStream;
    private AWTSequenceEncoder mp4Encoder;
    private SeekableByteChannel mp4Channel;
    private int width = -1, height;
    private int frames;
    private boolean finished;

    private Animation(Path tempDir, List<Format> formats, int fps) throws IOException {
        if (fps < 1 || fps > 120) throw new IllegalArgumentException("frames per second must be in [1, 120], got " + fps);
        if (formats.isEmpty()) throw new IllegalArgumentException("an animation needs at least one format (gif, mp4)");
        this.fps = fps;
        Files.createDirectories(tempDir);
        this.gifTmp = formats.contains(Format.GIF) ? Files.createTempFile(tempDir, ".animation.", ".gif.tmp") : null;
        this.mp4Tmp = formats.contains(Format.MP4) ? Files.createTempFile(tempDir, ".animation.", ".mp4.tmp") : null;
    }

    /**
     * An animation in {@code formats} (at least one) at {@code fps} frames per second, streamed into
     * temporary files in {@code tempDir} (best on the file system of the final files: {@link #finish} renames).
     */
    static Animation open(Path tempDir, List<Format> formats, int fps) throws IOException {
        return new Animation(tempDir, formats, fps);
    }

    /** The files {@link #finish} wrote. */
    List<Path> files() {
        return List.copyOf(written);
    }

    int frames() {
        return frames;
    }

    /** Appends a frame (copied into an even-sided RGB frame). */
    void add(BufferedImage frame) throws IOException {
        if (finished) throw new IllegalStateException("animation already finished");
        BufferedImage rgb = evenRgb(frame);
        if (width < 0) {
            width = rgb.getWidth();
            height = rgb.getHeight();
            start();
        } else if (rgb.getWidth() != width || rgb.getHeight() != height) {
            throw new IllegalArgumentException("frame " + frames + " is " + frame.getWidth() + "x" + frame.getHeight() + ", the first was " + width + "x" + height);
        }
        if (gifWriter != null) gifWriter.writeToSequence(new IIOImage(rgb, null, gifFrameMetadata(rgb)), null);
        if (mp4Encoder != null) mp4Encoder.encodeImage(rgb);
        frames++;
    }

    private void start() throws IOException {
        if (gifTmp != null) {
            gifWriter = ImageIO.getImageWritersByFormatName("gif").next();
            gifStream = ImageIO.createImageOutputStream(gifTmp.toFile());
            gifWriter.setOutput(gifStream);
            gifWriter.prepareWriteSequence(null);
        }
        if (mp4Tmp != null) {
            mp4Channel = NIOUtils.writableChannel(mp4Tmp.toFile());
            mp4Encoder = new AWTSequenceEncoder(mp4Channel, Rational.R(fps, 1));
        }
    }

    /** Per-frame GIF metadata: the delay (hundredths of a second) and, on the first frame, endless looping. */
    private IIOMetadata gifFrameMetadata(BufferedImage img) throws IOException {
        IIOMetadata meta = gifWriter.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(Math.max(1, Math.round(100f / fps))));
        gce.setAttribute("transparentColorIndex", "0");
        if (frames == 0) {
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[]{1, 0, 0});   // loop forever
            child(root, "ApplicationExtensions").appendChild(app);
        }
        meta.setFromTree(format, root);
        return meta;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++)
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) root.item(i);
        IIOMetadataNode n = new IIOMetadataNode(name);
        root.appendChild(n);
        return n;
    }

    /** {@code img} upscaled by the least integer factor that brings its longer side to {@code minSide} (nearest neighbour). */
    static BufferedImage upscale(BufferedImage img, int minSide) {
        int s = io.stylegan2.core.io.Figures.scale(Math.max(img.getWidth(), img.getHeight()), minSide);
        if (s == 1) return img;
        BufferedImage out = new BufferedImage(img.getWidth() * s, img.getHeight() * s, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static BufferedImage evenRgb(BufferedImage in) {
        int w = in.getWidth() + (in.getWidth() & 1), h = in.getHeight() + (in.getHeight() & 1);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.drawImage(in, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Ends the streams and renames the files to {@code base + ".gif"} / {@code base + ".mp4"} (replacing them). */
    void finish(Path base) throws IOException {
        if (frames == 0) throw new IllegalStateException("an animation needs at least one frame");
        if (gifWriter != null) {
            gifWriter.endWriteSequence();
            gifStream.close();
            gifWriter.dispose();
            gifWriter = null;
        }
        if (mp4Encoder != null) {
            mp4Encoder.finish();
            mp4Encoder = null;
            mp4Channel.close();
            mp4Channel = null;
        }
        String name = base.getFileName().toString();
        if (base.toAbsolutePath().getParent() != null) Files.createDirectories(base.toAbsolutePath().getParent());
        if (gifTmp != null) written.add(moved(gifTmp, base.resolveSibling(name + ".gif")));
        if (mp4Tmp != null) written.add(moved(mp4Tmp, base.resolveSibling(name + ".mp4")));
        finished = true;
    }

    private static Path moved(Path tmp, Path target) throws IOException {
        AtomicFiles.publish(tmp, target);
        return target;
    }

    /** Releases the encoders; without {@link #finish} the temporary files are removed and no target is touched. */
    @Override
    public void close() {
        try {
            if (gifStream != null) gifStream.close();
        } catch (IOException ignored) { /* best effort */ }
        if (gifWriter != null) gifWriter.dispose();
        try {
            if (mp4Channel != null) mp4Channel.close();
        } catch (IOException ignored) { /* best effort */ }
        if (!finished) {
            for (Path t : new Path[]{gifTmp, mp4Tmp}) {
                try { if (t != null) Files.deleteIfExists(t); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }
}
