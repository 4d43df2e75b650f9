package io.stylegan2.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates {@code ../shared/fixtures} (system property {@code stylegan2.fixtures}, set by Surefire). */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("stylegan2.fixtures");
        Path root = p != null ? Paths.get(p) : null;
        if (root == null || !Files.isDirectory(root)) {
            // fall back to walking up from the working directory
            Path d = Paths.get("").toAbsolutePath();
            while (d != null && !Files.isDirectory(d.resolve("../shared/fixtures"))) d = d.getParent();
            if (d == null) throw new IllegalStateException("fixtures not found: set -Dstylegan2.fixtures=/path/to/shared/fixtures");
            root = d.resolve("../shared/fixtures").normalize();
        }
        return root.toAbsolutePath().normalize();
    }

    /** A file or folder under the fixtures root, e.g. {@code path("rosinality/ros_s32_c64/z.npy")}. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("fixture missing: " + p);
        return p;
    }
}
