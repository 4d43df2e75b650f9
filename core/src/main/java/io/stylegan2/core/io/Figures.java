package io.stylegan2.core.io;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Report figures people look at: a row of images, each upscaled with nearest-neighbour to at least
 * {@code minSide} pixels (small models stay readable), with a label above each, white gutters
 * between them and an optional caption below (e.g. {@code comparison.png}: target | reconstruction
 * | difference with the metrics; an edit strip labelled with its strengths). Drawn with Java2D.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread.
 */
public final class Figures {
    /** Gutter between panels and around the figure, in pixels. */
    public static final int GUTTER = 8;
    private static final int TEXT = 18;

    private Figures() {}

    /** The upscaling factor for an image of side {@code side}: the smallest integer reaching {@code minSide}. */
    public static int scale(long side, int minSide) {
        return (int) Math.max(1, (minSide + side - 1) / side);
    }

    /**
     * A labelled row.
     *
     * @param images  {@code [1, C, H, W]} or {@code [C, H, W]} each, in {@code [-1, 1]}, all the same size
     * @param labels  one per image (drawn above it)
     * @param caption a line below the row, or null
     * @param minSide the least displayed side of each panel
     */
    public static BufferedImage labelledRow(List<INDArray> images, List<String> labels, String caption, int minSide) {
        if (images.isEmpty() || images.size() != labels.size()) throw new IllegalArgumentException("a labelled row needs one label per image, got " + images.size() + " images and " + labels.size() + " labels");
        BufferedImage first = Images.toBufferedImage(images.get(0));
        int s = scale(Math.max(first.getWidth(), first.getHeight()), minSide);
        int pw = first.getWidth() * s, ph = first.getHeight() * s, n = images.size();
        int width = GUTTER + n * (pw + GUTTER), height = GUTTER + TEXT + ph + GUTTER + (caption == null ? 0 : TEXT + GUTTER / 2);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                BufferedImage img = i == 0 ? first : Images.toBufferedImage(images.get(i));
                if (img.getWidth() != first.getWidth() || img.getHeight() != first.getHeight())
                    throw new IllegalArgumentException("labelled row: image " + i + " is " + img.getWidth() + "x" + img.getHeight() + ", the first " + first.getWidth() + "x" + first.getHeight());
                int x = GUTTER + i * (pw + GUTTER);
                g.drawImage(img, x, GUTTER + TEXT, pw, ph, null);
                g.setColor(Color.BLACK);
                g.drawString(fit(labels.get(i), fm, pw), x, GUTTER + TEXT - 5);
            }
            if (caption != null) g.drawString(fit(caption, fm, width - 2 * GUTTER), GUTTER, GUTTER + TEXT + ph + GUTTER + TEXT - 6);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes {@link #labelledRow} as a PNG, atomically. */
    public static void writeLabelledRow(List<INDArray> images, List<String> labels, String caption, int minSide, Path file) throws IOException {
        Images.writeAtomically(labelledRow(images, labels, caption, minSide), "png", file);
    }

    /** {@code s} cut with an ellipsis to fit {@code width} pixels. */
    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "...") > width) t = t.substring(0, t.length() - 1);
        return t + "...";
    }
}
