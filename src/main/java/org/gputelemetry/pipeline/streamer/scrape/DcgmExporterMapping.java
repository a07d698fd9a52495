package org.gputelemetry.pipeline.streamer.scrape;

import org.gputelemetry.pipeline.config.ScrapeSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a dcgm-exporter scrape into {@link ScrapedSample}s, following what real exporters emit:
 *
 * <ul>
 *   <li>identity from the UUID label (named {@code UUID} by default; the exporter lets operators
 *       rename it), {@code gpu}, {@code device}, {@code modelName}, {@code pci_bus_id} and
 *       {@code Hostname} (renamed {@code hostname} in exporter 4.x); a target's hostname, when
 *       configured, overrides the label (which is often the exporter pod's name);</li>
 *   <li>{@code DCGM_FI_DRIVER_VERSION} as the GPU's driver version;</li>
 *   <li>MIG: a series with {@code GPU_I_ID} belongs to the instance
 *       {@code MIG-<UUID>/<GPU_I_ID>}, whose parent is the UUID and whose profile is
 *       {@code GPU_I_PROFILE}; the exporter bug {@code <<<NULL>>>} keeps the instance without a
 *       profile;</li>
 *   <li>{@code pod}, {@code namespace}, {@code container} when non-empty (older exporters write
 *       empty strings for "none");</li>
 *   <li>every other label ({@code xid}, {@code err_code}, {@code err_msg},
 *       {@code window_size_in_ms}, ...) kept in {@link ScrapedSample#labels()}, except the scrape's
 *       own {@code instance}, {@code job} and {@code __name__};</li>
 *   <li>the exporter's timestamp when the line has one, else the scrape's time.</li>
 * </ul>
 *
 * <p>Skipped and counted: series without a UUID ({@link ScrapeRejectReason#NO_GPU_UUID}: NVSwitch,
 * CPU and exporter-internal metrics), NaN/±Inf ({@link ScrapeRejectReason#NON_FINITE_VALUE}) and
 * DCGM's blank sentinels ({@link ScrapeRejectReason#DCGM_BLANK_VALUE}: e.g.
 * {@code 9223372036854775794}, "not supported", which the exporter's README itself shows).
 *
 * <p>Not thread-safe (it owns an {@link ExpositionParser}); one per scheduler context. GPU records
 * are shared across scrapes while their attributes stay the same.
 */
public final class DcgmExporterMapping {

  /** dcgm-exporter's default name of the UUID label. */
  public static final String DEFAULT_UUID_LABEL = ScrapeSettings.DEFAULT_UUID_LABEL;
  /** The profile dcgm-exporter writes when DCGM could not name a MIG instance's profile. */
  static final String NULL_PROFILE = "<<<NULL>>>";

  private static final int MAX_CACHED_GPUS = 65_536;
  private static final SortedMap<String, String> NO_LABELS = Collections.unmodifiableSortedMap(new TreeMap<>());
  /** DCGM_INT64_BLANK (0x7ffffffffffffff0) and its siblings all round to 2^63 as doubles. */
  private static final double INT64_BLANK = 9.223372036854775E18;
  /** DCGM_FP64_BLANK (2^47) to DCGM_FP64_NOT_PERMISSIONED. */
  private static final double FP64_BLANK = 140737488355328.0;
  /** DCGM_INT32_BLANK (0x7ffffff0) to DCGM_INT32_NOT_PERMISSIONED. */
  private static final double INT32_BLANK = 2147483632.0;

  /** One scrape, mapped. */
  public record Result(List<ScrapedSample> samples, ScrapeRejects rejects, ExpositionParser.Summary summary) {

    /** The UUIDs of the GPUs and MIG instances this scrape had samples for, in first-seen order. */
    public Set<String> gpuUuids() {
      Set<String> out = new LinkedHashSet<>();
      for (ScrapedSample s : samples) {
        out.add(s.gpu().uuid());
      }
      return out;
    }
  }

  private final String uuidLabel;
  private final ExpositionParser parser;
  private final Map<String, ScrapedGpu> gpus = new HashMap<>();

  // per-scrape state used by the sink
  private String hostnameOverride;
  private long scrapeMicros;
  private List<ScrapedSample> out;

  public DcgmExporterMapping(String uuidLabel, ExpositionLimits limits) {
    this.uuidLabel = Objects.requireNonNull(uuidLabel, "uuidLabel");
    this.parser = new ExpositionParser(limits);
  }

  public DcgmExporterMapping() {
    this(DEFAULT_UUID_LABEL, ExpositionLimits.DEFAULT);
  }

  /**
   * Parses and maps {@code body[from, to)}.
   *
   * @param hostnameOverride the target's configured hostname, or null to use the exporter's label
   * @param scrapeMicros when the scrape was made, for lines without a timestamp
   */
  public Result map(byte[] body, int from, int to, ExpositionFormat format, String hostnameOverride, long scrapeMicros) {
    this.hostnameOverride = hostnameOverride;
    this.scrapeMicros = scrapeMicros;
    this.out = new ArrayList<>(Math.max(16, (to - from) / 256));
    ScrapeRejects rejects = new ScrapeRejects();
    try {
      ExpositionParser.Summary summary = parser.parse(body, from, to, format, this::accept, rejects);
      return new Result(Collections.unmodifiableList(out), rejects, summary);
    } finally {
      out = null;
    }
  }

  public Result map(byte[] body, ExpositionFormat format, String hostnameOverride, long scrapeMicros) {
    return map(body, 0, body.length, format, hostnameOverride, scrapeMicros);
  }

  private void accept(ParsedSeries s, ScrapeRejects rejects) {
    double value = s.value();
    if (!Double.isFinite(value)) {
      rejects.reject(ScrapeRejectReason.NON_FINITE_VALUE, s);
      return;
    }
    if (isDcgmBlank(value)) {
      rejects.reject(ScrapeRejectReason.DCGM_BLANK_VALUE, s);
      return;
    }
    String uuid = null;
    String gpuUuidFallback = null;
    String gpuIndex = null;
    String device = null;
    String model = null;
    String pci = null;
    String host = null;
    String driver = null;
    String instanceId = null;
    String profile = null;
    String pod = null;
    String namespace = null;
    String container = null;
    TreeMap<String, String> labels = null;
    for (int i = 0; i < s.labelCount(); i++) {
      String name = s.labelName(i);
      String v = s.labelValue(i);
      if (name.equals(uuidLabel)) {
        uuid = v;
        continue;
      }
      switch (name) {
        case "gpu_uuid" -> gpuUuidFallback = v; // NVLink series name the GPU so
        case "gpu" -> gpuIndex = v;
        case "device" -> device = v;
        case "modelName", "model_name" -> model = v;
        case "pci_bus_id" -> pci = v;
        case "Hostname", "hostname" -> host = v;
        case "DCGM_FI_DRIVER_VERSION" -> driver = v;
        case "GPU_I_ID" -> instanceId = v;
        case "GPU_I_PROFILE" -> profile = v;
        case "pod" -> pod = v;
        case "namespace" -> namespace = v;
        case "container" -> container = v;
        case "instance", "job", "__name__" -> {
          // the scrape's own labels (a federating Prometheus adds them): not the series'
        }
        default -> {
          if (labels == null) {
            labels = new TreeMap<>();
          }
          labels.put(name, v);
        }
      }
    }
    if (isEmpty(uuid)) {
      uuid = gpuUuidFallback;
    }
    if (isEmpty(uuid)) {
      rejects.reject(ScrapeRejectReason.NO_GPU_UUID, s);
      return;
    }
    ScrapedGpu gpu = gpu(uuid, gpuIndex, device, model, pci, hostnameOverride != null ? hostnameOverride : host,
        driver, instanceId, profile);
    long ts = s.hasTimestamp() ? s.timestampMicros() : scrapeMicros;
    out.add(new ScrapedSample(gpu, s.name(), ts, value, orNull(container), orNull(pod), orNull(namespace),
        labels == null ? NO_LABELS : Collections.unmodifiableSortedMap(labels)));
  }

  private ScrapedGpu gpu(String parent, String gpuIndex, String device, String model, String pci, String host,
                         String driver, String instanceId, String profile) {
    boolean mig = !isEmpty(instanceId);
    String uuid = mig ? "MIG-" + parent + "/" + instanceId : parent;
    String migProfile = mig && !isEmpty(profile) && !NULL_PROFILE.equals(profile) ? profile : null;
    int index = parseIndex(gpuIndex);
    ScrapedGpu cached = gpus.get(uuid);
    if (cached != null && cached.gpuIndex() == index && Objects.equals(cached.device(), orNull(device))
        && Objects.equals(cached.modelName(), orNull(model)) && Objects.equals(cached.hostname(), orNull(host))
        && Objects.equals(cached.pciBusId(), orNull(pci)) && Objects.equals(cached.driverVersion(), orNull(driver))
        && Objects.equals(cached.migProfile(), migProfile)) {
      return cached;
    }
    ScrapedGpu g = new ScrapedGpu(uuid, index, orNull(device), orNull(model), orNull(host), orNull(pci), orNull(driver),
        mig ? parent : null, migProfile, mig ? instanceId : null);
    if (gpus.size() >= MAX_CACHED_GPUS) {
      gpus.clear();
    }
    gpus.put(uuid, g);
    return g;
  }

  static boolean isDcgmBlank(double v) {
    return v >= INT64_BLANK || (v >= FP64_BLANK && v <= FP64_BLANK + 3) || (v >= INT32_BLANK && v <= INT32_BLANK + 3);
  }

  private static int parseIndex(String text) {
    if (text == null || text.isEmpty() || text.length() > 9) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static String orNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
