package io.stylegan2.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public top-level type of every module states its thread-safety contract: its class Javadoc
 * has a paragraph starting {@code <b>Thread safety:</b>}. Checked on the sources of the whole build
 * (this module is built last), so a new public type without one fails the build.
 */
class ThreadSafetyContractTest {
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^public (?:(?:final|abstract|sealed|non-sealed|static|strictfp) )*(?:class|record|interface|enum|@interface) (\\w+)", Pattern.MULTILINE);
    private static final String MARK = "<b>Thread safety:</b>";

    @Test
    void everyPublicTypeDocumentsItsThreadSafety() throws IOException {
        Path root = Paths.get("").toAbsolutePath().getParent();
        assertThat(root.resolve("pom.xml")).exists();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path m : modules.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).toList())
                try (Stream<Path> files = Files.walk(m.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java")).forEach(sources::add);
                }
        }
        assertThat(sources).hasSizeGreaterThan(150);
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path f : sources) {
            String s = Files.readString(f, StandardCharsets.UTF_8);
            Matcher m = PUBLIC_TYPE.matcher(s);
            if (!m.find()) continue;
            checked++;
            int docEnd = s.lastIndexOf("*/", m.start());
            int docStart = docEnd < 0 ? -1 : s.lastIndexOf("/**", docEnd);
            // the Javadoc must directly precede the declaration (annotations and line comments may sit between)
            boolean attached = docStart >= 0 && s.substring(docEnd + 2, m.start()).replaceAll("//[^\n]*", "").replaceAll("@\\w+(\\([^)]*\\))?", "").isBlank();
            if (!attached || !s.substring(docStart, docEnd).contains(MARK)) missing.add(root.relativize(f) + " (" + m.group(1) + ")");
        }
        assertThat(checked).isGreaterThan(150);
        assertThat(missing).as("public types without a '" + MARK + "' paragraph in their class Javadoc").isEmpty();
    }
}
