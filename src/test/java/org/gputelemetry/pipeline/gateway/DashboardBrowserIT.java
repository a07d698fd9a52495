package org.gputelemetry.pipeline.gateway;

import static org.gputelemetry.pipeline.testutil.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.gputelemetry.pipeline.PipelineVerticle;
import org.gputelemetry.pipeline.testutil.Pipelines;
import org.gputelemetry.pipeline.testutil.SampleCsv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (the OS package, driven through the OS chromedriver;
 * scripts/provision-test-deps.sh installs both): the page loads, a tile appears for each of the
 * sample's 247 GPUs, tiles update live, and a click shows the GPU's history as a chart. Leaves a
 * screenshot in target/dashboard.png. Fails, never skips, when Chromium is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private Vertx vertx;
  private String base;
  private ChromeDriver driver;
  private Path profile;

  @BeforeAll
  void boot() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER + ": run scripts/provision-test-deps.sh "
            + "(apt-get install chromium chromium-driver)");
    vertx = Vertx.vertx();
    PipelineVerticle pipeline = Pipelines.deploy(vertx, Pipelines.liveAllInOne(2500));
    base = "http://127.0.0.1:" + pipeline.gatewayPort() + "/";
    profile = Files.createTempDirectory("chromium-profile");
    // an explicit driver binary: Selenium Manager is never consulted (it would try to download one)
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1440,1000");
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  void shutdown() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  @Test
  void dashboardShowsEveryGpuUpdatesLiveAndChartsOneOnClick() throws Exception {
    driver.get(base);
    int gpus = SampleCsv.byGpu().size();
    waitUpTo(30).until(d -> d.findElements(By.cssSelector("button.tile")).size() == gpus);
    assertEquals(247, gpus);
    assertEquals(31, driver.findElements(By.cssSelector("section.host")).size());
    assertEquals("247", driver.findElement(By.id("gpu-count")).getText());

    // every tile gets a value and a colour from the live feed, and keeps being updated
    waitUpTo(30).until(d -> d.findElements(By.cssSelector("button.tile[data-value]")).size() == gpus);
    WebElement tile = driver.findElements(By.cssSelector("button.tile")).stream()
        .filter(t -> Double.parseDouble(t.getDomAttribute("data-value")) > 50).findFirst().orElseThrow();
    long before = Long.parseLong(tile.getDomAttribute("data-updates"));
    waitUpTo(20).until(d -> Long.parseLong(tile.getDomAttribute("data-updates")) > before);
    assertTrue(tile.getCssValue("background-color").startsWith("rgb"), tile.getCssValue("background-color"));
    waitUpTo(10).until(d -> d.findElement(By.id("link")).getText().startsWith("live"));

    // a click opens the GPU's history, drawn on the canvas from the REST API, and the window can change
    tile.click();
    WebElement detail = driver.findElement(By.id("detail"));
    waitUpTo(10).until(d -> detail.isDisplayed());
    assertEquals(tile.getDomAttribute("data-uuid"), driver.findElement(By.id("detail-title")).getText());
    WebElement chart = driver.findElement(By.id("chart"));
    waitUpTo(20).until(d -> chart.getDomAttribute("data-points") != null
        && Integer.parseInt(chart.getDomAttribute("data-points")) > 1);
    driver.findElement(By.cssSelector("#windows button[data-seconds='60']")).click();
    waitUpTo(20).until(d -> driver.findElement(By.id("chart-note")).getText().contains("1 min"));
    assertTrue(Integer.parseInt(chart.getDomAttribute("data-points")) > 0);
    String pixels = (String) driver.executeScript(
        "const c = document.getElementById('chart'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            + "let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return String(n);");
    assertTrue(Long.parseLong(pixels) > 1000, "the chart drew " + pixels + " pixels");
    Thread.sleep(1500);
    screenshot("dashboard.png");
  }

  @Test
  void afterAOnePassReplayTheDashboardPaintsFromTheStoreAndChartsLongWindowsWithStep() {
    // a replay that has finished sends no more live frames: the tiles can only come from /api/v1/latest
    Vertx replayVertx = Vertx.vertx();
    try {
      PipelineVerticle replay = Pipelines.deploy(replayVertx, Pipelines.onePassAllInOne(null));
      await(replay.streamer().finished(), 120);
      int gpus = SampleCsv.byGpu().size();
      String replayBase = "http://127.0.0.1:" + replay.gatewayPort() + "/";
      io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(replayVertx);
      org.gputelemetry.pipeline.testutil.Poll.until("every GPU stored", 60, () -> await(client.getAbs(replayBase
          + "api/v1/latest?metric=DCGM_FI_DEV_GPU_UTIL").send()).bodyAsJsonObject().getInteger("count") == gpus);
      driver.get(replayBase);
      waitUpTo(30).until(d -> d.findElements(By.cssSelector("button.tile[data-value]")).size() == gpus);
      assertEquals(String.valueOf(gpus), driver.findElement(By.tagName("body")).getDomAttribute("data-latest"));
      assertTrue(driver.findElements(By.cssSelector("button.tile")).stream()
          .allMatch(t -> "0".equals(t.getDomAttribute("data-updates"))), "no live frame painted a tile");

      driver.findElement(By.cssSelector("button.tile")).click();
      driver.findElement(By.cssSelector("#windows button[data-seconds='86400']")).click();
      WebElement chart = driver.findElement(By.id("chart"));
      waitUpTo(20).until(d -> driver.findElement(By.id("chart-note")).getText().contains("24 h"));
      assertEquals("174s", chart.getDomAttribute("data-step"));
      int points = Integer.parseInt(chart.getDomAttribute("data-points"));
      assertTrue(points > 0 && points <= 500, "points " + points);
    } finally {
      await(replayVertx.close());
    }
  }

  @Test
  void swaggerUiRendersEveryOperationOfTheDocument() throws Exception {
    driver.get(base + "docs");
    waitUpTo(30).until(d -> d.findElements(By.cssSelector(".opblock")).size() >= 13);
    List<WebElement> ops = driver.findElements(By.cssSelector(".opblock-summary-path"));
    assertTrue(ops.stream().anyMatch(e -> e.getText().replace("\u200B", "").contains("/api/v1/gpus/{uuid}/telemetry")));
    screenshot("swagger-ui.png");
  }

  private void screenshot(String name) throws Exception {
    Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(Path.of("target"));
    Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
  }
}
