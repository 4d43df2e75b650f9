package io.stylegan2.inversion.editing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Labels for {@link InterFaceGan} from a CSV file.
 *
 * <p>Format: one {@code key,value} pair per line (comma, semicolon or tab separated); blank lines and
 * lines starting with {@code #} are skipped, and so is a first line whose value is not a number
 * (a header such as {@code index,label}). The key is the row of the latent file: an integer
 * ({@code 17}), or a name whose last run of digits is the row ({@code img0017.png} is row 17).
 * Rows without a line are unused.
 *
 * <p>Values: if every value is 0/1 or -1/+1 they are class labels ({@code 1} positive, {@code 0} or
 * {@code -1} negative). Otherwise they are scores, binarised as InterFaceGAN does: the
 * {@code ratio} fraction of labelled rows with the highest scores are positive, the same fraction
 * with the lowest negative, the rest unused ({@code ratio} in (0, 0.5]; 0.5 splits at the median).
 *
 * <p><b>Thread safety:</b> Stateless; safe to call from any thread (the static {@code Pattern} is
 * immutable).
 */
public final class Labels {
    private Labels() {}

    public static final double DEFAULT_RATIO = 0.5;
    private static final Pattern LAST_DIGITS = Pattern.compile("(\\d+)(?!.*\\d)");

    /** Per row of an {@code n}-row latent file: +1, -1 or 0 (unused). */
    public static int[] read(Path csv, int n, double ratio) throws IOException {
        if (!(ratio > 0 && ratio <= 0.5)) throw new IllegalArgumentException("ratio must be in (0, 0.5], got " + ratio);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<int[]> rows = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        boolean first = true;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("[,;\t]");
            if (f.length < 2) throw new IOException(csv + ":" + (ln + 1) + ": expected key,value, got '" + line + "'");
            double value;
            try {
                value = Double.parseDouble(f[1].strip());
            } catch (NumberFormatException e) {
                if (first) { first = false; continue; }  // header
                throw new IOException(csv + ":" + (ln + 1) + ": value '" + f[1].strip() + "' is not a number");
            }
            first = false;
            if (!Double.isFinite(value)) throw new IOException(csv + ":" + (ln + 1) + ": value is not finite");
            String key = f[0].strip();
            int row;
            try {
                row = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                Matcher m = LAST_DIGITS.matcher(key);
                if (!m.find()) throw new IOException(csv + ":" + (ln + 1) + ": key '" + key + "' is neither a row index nor a name with a number");
                row = Integer.parseInt(m.group(1));
            }
            if (row < 0 || row >= n) throw new IOException(csv + ":" + (ln + 1) + ": row " + row + " out of range: the latent file has " + n + " rows");
            rows.add(new int[]{row});
            values.add(value);
        }
        if (rows.isEmpty()) throw new IOException(csv + ": no labels");
        int[] out = new int[n];
        boolean binary01 = values.stream().allMatch(v -> v == 0 || v == 1);
        boolean binaryPm = values.stream().allMatch(v -> v == -1 || v == 1);
        if (binary01 || binaryPm) {
            for (int i = 0; i < rows.size(); i++) out[rows.get(i)[0]] = values.get(i) == 1 ? 1 : -1;
            return out;
        }
        Integer[] order = new Integer[rows.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values.get(a), values.get(b)));
        int k = (int) Math.floor(ratio * order.length);
        if (k < 1) throw new IOException(csv + ": ratio " + ratio + " of " + order.length + " scores selects nothing");
        for (int i = 0; i < k; i++) {
            out[rows.get(order[i])[0]] = -1;
            out[rows.get(order[order.length - 1 - i])[0]] = 1;
        }
        return out;
    }
}
