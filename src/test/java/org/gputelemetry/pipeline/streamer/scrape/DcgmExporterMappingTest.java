package org.gputelemetry.pipeline.streamer.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.gputelemetry.pipeline.model.Gpu;
import org.junit.jupiter.api.Test;

class DcgmExporterMappingTest {

  private static final long SCRAPE_MICROS = 1_733_140_815_000_000L;

  private final DcgmExporterMapping mapping = new DcgmExporterMapping();

  private DcgmExporterMapping.Result map(String fixture, String hostnameOverride) {
    ExpositionFormat fmt = fixture.equals(Fixtures.OPENMETRICS) ? ExpositionFormat.OPENMETRICS : ExpositionFormat.PROMETHEUS_TEXT;
    return mapping.map(Fixtures.bytes(fixture), fmt, hostnameOverride, SCRAPE_MICROS);
  }

  @Test
  void plainNodeYieldsEightGpusWithTheirAttributes() {
    DcgmExporterMapping.Result r = map(Fixtures.H100_8GPU, null);
    assertEquals(12 * 8 + 2, r.samples().size());
    assertEquals(0, r.rejects().total());
    assertEquals(8, r.gpuUuids().size());
    ScrapedGpu gpu5 = r.samples().stream().map(ScrapedSample::gpu).filter(g -> g.gpuIndex() == 5).findFirst().orElseThrow();
    assertEquals("nvidia5", gpu5.device());
    assertEquals("NVIDIA H100 80GB HBM3", gpu5.modelName());
    assertEquals("gpu-node-07", gpu5.hostname());
    assertEquals("00000000:AB:00.0", gpu5.pciBusId());
    assertEquals("550.127.08", gpu5.driverVersion());
    assertFalse(gpu5.isMigInstance());
    assertNull(gpu5.migProfile());
    assertEquals(new Gpu(gpu5.uuid(), 5, "nvidia5", "NVIDIA H100 80GB HBM3", "gpu-node-07", "00000000:AB:00.0",
        "550.127.08", null, null), gpu5.toGpu());
    // one shared record per GPU
    assertEquals(8, r.samples().stream().map(s -> System.identityHashCode(s.gpu())).distinct().count());
    ScrapedSample first = r.samples().get(0);
    assertEquals("DCGM_FI_DEV_SM_CLOCK", first.metric());
    assertEquals(SCRAPE_MICROS, first.timestampMicros());
    assertTrue(first.labels().isEmpty());
  }

  @Test
  void kubernetesAttributionOnlyWhereTheExporterNamedAPod() {
    DcgmExporterMapping.Result r = map(Fixtures.H100_8GPU, null);
    for (ScrapedSample s : r.samples()) {
      if (s.gpu().gpuIndex() == 2 || s.gpu().gpuIndex() == 3) {
        assertEquals("llama-ft-7d9c6b5f4-x2kqp", s.pod());
        assertEquals("ml-team", s.namespace());
        assertEquals("trainer", s.container());
      } else {
        assertNull(s.pod());
        assertNull(s.namespace());
        assertNull(s.container());
      }
    }
  }

  @Test
  void xidSeriesKeepTheirDistinguishingLabels() {
    DcgmExporterMapping.Result r = map(Fixtures.H100_8GPU, null);
    ScrapedSample xid = r.samples().stream()
        .filter(s -> s.metric().equals("DCGM_FI_DEV_XID_ERRORS") && s.gpu().gpuIndex() == 5).findFirst().orElseThrow();
    assertEquals(79, xid.value());
    assertEquals(Map.of("err_code", "79", "err_msg", "GPU has fallen off the bus"), xid.labels());
    List<ScrapedSample> counts = r.samples().stream().filter(s -> s.metric().equals("DCGM_EXP_XID_ERRORS_COUNT")).toList();
    assertEquals(2, counts.size());
    assertEquals(Map.of("window_size_in_ms", "300000", "xid", "79"), counts.get(0).labels());
    assertEquals(Map.of("window_size_in_ms", "300000", "xid", "48"), counts.get(1).labels());
    assertEquals(List.of("window_size_in_ms", "xid"), List.copyOf(counts.get(0).labels().keySet()));
  }

  @Test
  void migInstancesAreTheirOwnGpusWithParentAndProfile() {
    DcgmExporterMapping.Result r = map(Fixtures.A100_MIG, null);
    assertEquals(12, r.samples().size());
    String parent = "GPU-63bc0b91-2265-1b94-831c-15c41fe92675";
    Map<String, ScrapedGpu> byUuid = r.samples().stream().map(ScrapedSample::gpu)
        .collect(Collectors.toMap(ScrapedGpu::uuid, g -> g, (a, b) -> a));
    assertEquals(Set.of("GPU-06357e72-c3ee-614b-775f-a89e18e8cc08", "MIG-" + parent + "/1", "MIG-" + parent + "/5",
        "MIG-" + parent + "/6"), byUuid.keySet());
    ScrapedGpu one = byUuid.get("MIG-" + parent + "/1");
    assertEquals(parent, one.parentUuid());
    assertEquals("3g.40gb", one.migProfile());
    assertEquals("1", one.migInstanceId());
    assertEquals(1, one.gpuIndex());
    assertEquals("2g.20gb", byUuid.get("MIG-" + parent + "/5").migProfile());
    ScrapedGpu nullProfile = byUuid.get("MIG-" + parent + "/6");
    assertTrue(nullProfile.isMigInstance(), "the <<<NULL>>> profile keeps the instance");
    assertNull(nullProfile.migProfile());
    assertNull(byUuid.get("GPU-06357e72-c3ee-614b-775f-a89e18e8cc08").parentUuid());
    ScrapedSample triton = r.samples().stream()
        .filter(s -> s.gpu() == one && s.metric().equals("DCGM_FI_PROF_GR_ENGINE_ACTIVE")).findFirst().orElseThrow();
    assertEquals(0.871234, triton.value());
    assertEquals("triton-server-f7cb5d77-95xcf", triton.pod());
    assertTrue(triton.labels().isEmpty());
  }

  @Test
  void olderExporterEmptyKubernetesLabelsAreAbsentAndDcgmBlanksDropped() {
    DcgmExporterMapping.Result r = map(Fixtures.V100_LEGACY, null);
    assertEquals(2, r.rejects().count(ScrapeRejectReason.DCGM_BLANK_VALUE));
    assertEquals(8, r.samples().size());
    for (ScrapedSample s : r.samples()) {
      assertNull(s.pod());
      assertNull(s.namespace());
      assertNull(s.container());
      assertNull(s.gpu().pciBusId());
      assertTrue(s.labels().isEmpty());
    }
    assertEquals(167.362, r.samples().stream().filter(s -> s.metric().equals("DCGM_FI_DEV_POWER_USAGE")).findFirst()
        .orElseThrow().value());
  }

  @Test
  void brokenScrapeKeepsTheGoodLinesAndCountsEveryBadOne() {
    DcgmExporterMapping.Result r = map(Fixtures.BROKEN, null);
    assertEquals(2, r.samples().size());
    assertEquals(41, r.samples().get(0).value());
    assertEquals("GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52", r.samples().get(0).gpu().uuid());
    assertEquals(250.25, r.samples().get(1).value());
    assertEquals(1_733_140_800_000_000L, r.samples().get(1).timestampMicros());
    ScrapeRejects x = r.rejects();
    assertEquals(1, x.count(ScrapeRejectReason.MISSING_VALUE));
    assertEquals(1, x.count(ScrapeRejectReason.BAD_LABEL_SYNTAX));
    assertEquals(1, x.count(ScrapeRejectReason.BAD_VALUE));
    assertEquals(1, x.count(ScrapeRejectReason.BAD_ESCAPE));
    assertEquals(1, x.count(ScrapeRejectReason.TRAILING_CHARACTERS));
    assertEquals(1, x.count(ScrapeRejectReason.BAD_METADATA));
    assertEquals(1, x.count(ScrapeRejectReason.DUPLICATE_LABEL));
    assertEquals(2, x.count(ScrapeRejectReason.NON_FINITE_VALUE));
    assertEquals(1, x.count(ScrapeRejectReason.NO_GPU_UUID));
    assertEquals(10, x.total());
  }

  @Test
  void openMetricsTimestampsAndLowercaseHostnameOfNewerExporters() {
    DcgmExporterMapping.Result r = map(Fixtures.OPENMETRICS, null);
    assertEquals(2, r.samples().size());
    ScrapedSample util = r.samples().get(0);
    assertEquals(1_733_140_800_250_000L, util.timestampMicros());
    assertEquals("dcgm-exporter-wwwjh", util.gpu().hostname());
    ScrapedSample energy = r.samples().get(1);
    assertEquals("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total", energy.metric());
    assertEquals(129931554972.0, energy.value());
    assertEquals("line\nbreak \"quoted\" back\\slash", energy.labels().get("err_msg"));
    assertTrue(r.summary().eofSeen());
  }

  @Test
  void targetHostnameOverridesTheExporterPodName() {
    DcgmExporterMapping.Result r = map(Fixtures.OPENMETRICS, "gpu-node-12");
    assertTrue(r.samples().stream().allMatch(s -> s.gpu().hostname().equals("gpu-node-12")));
  }

  @Test
  void uuidLabelNameIsConfigurableAndScrapeLabelsAreNotSeriesLabels() {
    DcgmExporterMapping custom = new DcgmExporterMapping("gpu_id", ExpositionLimits.DEFAULT);
    String body = "m{gpu=\"0\",gpu_id=\"GPU-x\",instance=\"10.0.0.1:9400\",job=\"dcgm\",UUID=\"ignored\"} 1\n";
    DcgmExporterMapping.Result r = custom.map(body.getBytes(StandardCharsets.UTF_8), ExpositionFormat.PROMETHEUS_TEXT,
        null, SCRAPE_MICROS);
    assertEquals("GPU-x", r.samples().get(0).gpu().uuid());
    assertEquals(Map.of("UUID", "ignored"), r.samples().get(0).labels());
  }

  @Test
  void gpuRecordsAreSharedAcrossScrapesUntilAnAttributeChanges() {
    ScrapedGpu before = map(Fixtures.V100_LEGACY, null).samples().get(0).gpu();
    assertSame(before, map(Fixtures.V100_LEGACY, null).samples().get(0).gpu());
    ScrapedGpu renamed = map(Fixtures.V100_LEGACY, "node-a").samples().get(0).gpu();
    assertEquals("node-a", renamed.hostname());
    assertEquals(before.uuid(), renamed.uuid());
  }
}
