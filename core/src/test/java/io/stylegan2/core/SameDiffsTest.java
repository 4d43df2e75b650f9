package io.stylegan2.core;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;

class SameDiffsTest {
    @Test
    void quietDropsOnlyGradientChatter() {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            SameDiffs.quiet();
            SameDiffs.quiet(); // idempotent
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 2, 3));
            sd.setLossVariables(sd.sum(sd.math().square(x)));
            sd.calculateGradients(Collections.emptyMap(), "x");
            System.out.println("Added differentiated op fake");
            System.out.println("kept line");
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("Added differentiated op").contains("kept line");
    }
}
