package io.stylegan2.cli;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's publishing contract, read from the POMs: the BOM pins the ND4J version and native
 * classifier the parent builds and tests with, and manages every published module; every module
 * names its {@code Automatic-Module-Name}, and the parent attaches sources and javadoc jars and has
 * the signing {@code release} profile (the BOM too).
 */
class PublishableBuildTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

    @Test
    void bomPinsTheParentsNd4jAndManagesEveryModule() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml")), bom = read(ROOT.resolve("bom/pom.xml"));
        assertThat(property(bom, "nd4j.version")).isEqualTo(property(parent, "nd4j.version"));
        assertThat(property(bom, "nd4j.classifier")).isEqualTo(property(parent, "nd4j.classifier"));
        List<String> managed = new ArrayList<>();
        NodeList deps = bom.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            managed.add(text(d, "groupId") + ":" + text(d, "artifactId") + (d.getElementsByTagName("classifier").getLength() > 0 ? ":" + text(d, "classifier") : ""));
        }
        assertThat(managed).contains("org.nd4j:nd4j-api", "org.nd4j:nd4j-native", "org.nd4j:nd4j-native:${nd4j.classifier}");
        NodeList modules = parent.getElementsByTagName("module");
        for (int i = 0; i < modules.getLength(); i++) {
            String m = modules.item(i).getTextContent().trim();
            if (m.equals("bom") || m.equals("benchmarks") || m.equals("cli")) continue;
            Document pom = read(ROOT.resolve(m).resolve("pom.xml"));
            String artifact = text(pom.getDocumentElement(), "artifactId");
            assertThat(managed).as("the BOM manages " + artifact).contains("io.stylegan2:" + artifact);
            assertThat(property(pom, "automatic.module.name")).as(m + " Automatic-Module-Name").matches("io\\.stylegan2\\.[a-z]+");
        }
        String parentText = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(parentText).contains("<Automatic-Module-Name>${automatic.module.name}</Automatic-Module-Name>")
                .contains("<goal>jar-no-fork</goal>").contains("<id>attach-javadocs</id>").contains("<id>release</id>").contains("maven-gpg-plugin");
        assertThat(Files.readString(ROOT.resolve("bom/pom.xml"))).contains("<id>release</id>").contains("maven-gpg-plugin");
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static String property(Document pom, String name) {
        NodeList l = pom.getElementsByTagName(name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }

    /** The text of {@code parent}'s first direct child named {@code tag}. */
    private static String text(Element parent, String tag) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling())
            if (n instanceof Element e && e.getTagName().equals(tag)) return e.getTextContent().trim();
        return null;
    }
}
