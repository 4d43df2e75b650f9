package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code report.html} in a real browser: the system's chromium, headless, driven by Selenium through
 * the system's chromedriver (nothing is downloaded). Every image decodes and is drawn, and the
 * summary shows each image's numbers from its metrics.json. Skipped with a message when chromium or
 * chromedriver is missing; on Debian/Ubuntu {@code apt-get install chromium chromium-driver}, or point
 * {@code STYLEGAN2_CHROMIUM} and {@code STYLEGAN2_CHROMEDRIVER} at the two executables.
 */
class ReportBrowserTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void theReportRendersItsImagesAndNumbersInHeadlessChromium() throws Exception {
        Path chromium = executable("STYLEGAN2_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
        Path driver = executable("STYLEGAN2_CHROMEDRIVER", "chromedriver");
        assumeTrue(chromium != null && driver != null, "report.html browser check skipped: no chromium/chromedriver on PATH "
                + "(apt-get install chromium chromium-driver, or set STYLEGAN2_CHROMIUM and STYLEGAN2_CHROMEDRIVER)");

        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 3);
        NativeModel m = ModelOption.read(model);
        Path a = dir.resolve("a.png"), b = dir.resolve("b&<b>.png");   // a name the page must escape
        try (Generator g = Generator.create(m.generatorConfig(), m.generator())) {
            Images.writePng(g.synthesis(g.mapping(Seeds.z(new long[]{2}, g.config().zDim()), 0.7), NoiseMode.CONST, 0), a);
            Images.writePng(g.synthesis(g.mapping(Seeds.z(new long[]{3}, g.config().zDim()), 0.7), NoiseMode.CONST, 0), b);
        }
        Path dirs = dir.resolve("d.safetensors");
        INDArray v = Nd4j.zeros(DataType.DOUBLE, TinyModel.CONFIG.wDim());
        v.putScalar(0, 1.0);
        new DirectionSet(List.of(new Direction("e0", LatentSpace.W, v, 0, 6, 1.0, null))).save(dirs);
        Path o = dir.resolve("out");
        assertThat(cli.run("invert", "--model", model.toString(), "--method", "wplus", "--steps", "4", "--save-video", "--direction", dirs.toString(),
                a.toString(), b.toString(), "--out", o.toString())).as(cli.out() + cli.err()).isZero();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(o.resolve("report.html").toUri().toString());
            List<WebElement> images = browser.findElements(By.tagName("img"));
            assertThat(images).hasSize(2 * 4);   // per image: comparison, loss, the strip, the projection GIF
            for (WebElement img : images) {
                Object ok = ((JavascriptExecutor) browser).executeScript("return arguments[0].complete && arguments[0].naturalWidth > 0 && arguments[0].width > 0", img);
                assertThat(ok).as("image '%s' decoded and drawn", img.getAttribute("alt")).isEqualTo(Boolean.TRUE);
            }
            for (String name : List.of("a", "b&<b>")) {
                JsonNode metrics = new ObjectMapper().readTree(o.resolve(name).resolve("metrics.json").toFile());
                WebElement row = browser.findElement(By.cssSelector("tr[data-image='" + name.replace("'", "\\'") + "']"));
                assertThat(row.findElement(By.cssSelector("td.name")).getText()).isEqualTo(name);
                assertThat(row.findElement(By.cssSelector("td.psnr")).getText()).isEqualTo(String.format(Locale.ROOT, "%.2f", metrics.get("psnr").asDouble()));
                assertThat(row.findElement(By.cssSelector("td.mse")).getText()).isEqualTo(String.format(Locale.ROOT, "%.3f", metrics.get("mse").asDouble()));
                assertThat(row.findElement(By.cssSelector("td.ssim")).getText()).isEqualTo(String.format(Locale.ROOT, "%.4f", metrics.get("ssim").asDouble()));
            }
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("invert: wplus");
        } finally {
            browser.quit();
        }
    }

    /** The executable named by {@code env}, else the first of {@code names} on PATH; null when none. */
    private static Path executable(String env, String... names) {
        String given = System.getenv(env);
        if (given != null && !given.isBlank()) return Files.isExecutable(Path.of(given)) ? Path.of(given) : null;
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String name : names)
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        return null;
    }
}
