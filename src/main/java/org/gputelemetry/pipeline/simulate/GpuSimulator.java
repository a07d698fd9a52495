package org.gputelemetry.pipeline.simulate;

/**
 * The telemetry of one GPU, one interval at a time. The GPU alternates between idle periods and
 * jobs (exponentially distributed lengths); a job loads for a while (low utilisation, memory
 * filling), then runs at its own level with a mean-reverting integer random walk, and a training
 * job dips at its checkpoints. Power follows utilisation and clock, temperature follows power with
 * a thermal lag, memory steps now and then and at job boundaries, clocks hold except for rare
 * throttling, and an XID error is rare (some end the job).
 *
 * <p>Every random draw comes from this GPU's own stream, so a GPU's series depends only on the
 * seed, its fleet index and the interval: it is the same whether it is simulated alone or among
 * 10,000. Not thread-safe; {@link #step()} allocates nothing.
 */
final class GpuSimulator {

  private static final long STREAM_SALT = 0xBB67AE8584CAA73BL;

  // Mean lengths of the phases, seconds.
  private static final double MEAN_JOB_SECONDS = 40 * 60;
  private static final double MEAN_IDLE_SECONDS = 10 * 60;
  private static final double MIN_PHASE_SECONDS = 30;
  private static final double BUSY_AT_START = 0.65;
  /** A job that loads data and fills memory before the first kernel runs. */
  private static final double MAX_LOAD_SECONDS = 45;
  /** Mean time between XID errors of one GPU; DCGM keeps showing the code for a while after. */
  private static final double MEAN_XID_SECONDS = 12 * 3600;
  private static final double XID_SHOWN_SECONDS = 30;
  /** XID codes by weight: application faults (13, 31, 43) most, hardware ones (48, 63, 79, 94, 95) fewer. */
  private static final int[] XID_CODES = {13, 31, 43, 48, 63, 79, 94, 95};
  private static final int[] XID_WEIGHTS = {26, 24, 16, 5, 10, 6, 8, 5};
  private static final double MEAN_THROTTLE_GAP_SECONDS = 45 * 60;
  private static final double MEAN_MEMORY_CHANGE_SECONDS = 8 * 60;
  private static final double MEAN_PCIE_REPLAY_SECONDS = 6 * 3600;
  private static final double THERMAL_TAU_MIN = 40;
  private static final double THERMAL_TAU_MAX = 90;

  private final SplitMix rng;
  private final GpuModel model;
  private final double dt;
  // Per-GPU build: where it sits in the rack, how its silicon behaves.
  private final double ambient;
  private final double degreesPerWatt;
  private final double staticPowerIdle;
  private final double powerEfficiency;
  private final double thermalAlpha;
  private final int idleMemoryMiB;
  private final boolean clocksLockedWhenIdle;
  private final int xidWeightTotal;

  // Phase and the running job.
  private boolean busy;
  private double phaseSecondsLeft;
  private double loadSecondsLeft;
  private boolean training;
  private double jobUtil;
  private double jobSigma;
  private double memCopyRatio;
  private double smActiveRatio;
  private double tensorRatio;
  private int jobMemoryMiB;
  private double pcieTxRate;
  private double pcieRxRate;
  private double checkpointEverySeconds;
  private double secondsToCheckpoint;
  private double checkpointSecondsLeft;
  private double throttleSecondsLeft;
  private int throttledClock;

  // The values the current tick reports.
  private double utilLevel;
  private int util;
  private int memCopyUtil;
  private double temperature;
  private double power;
  private int fbUsed;
  private int fbTarget;
  private int smClock;
  private int xidCode;
  private double xidSecondsLeft;
  private double energyMilliJoules;
  private long pcieReplays;
  private double grActive;
  private double smActive;
  private double tensorActive;
  private double dramActive;
  private long pcieTx;
  private long pcieRx;

  GpuSimulator(FleetConfig config, int fleetIndex) {
    this.rng = SplitMix.forItem(config.seed(), STREAM_SALT, fleetIndex);
    this.model = config.model();
    this.dt = config.intervalMicros() / 1e6;
    this.ambient = rng.between(24, 31);
    this.degreesPerWatt = model.degreesPerWatt() * rng.between(0.9, 1.12);
    this.staticPowerIdle = model.idlePowerW() * rng.between(0.93, 1.08);
    this.powerEfficiency = rng.between(0.86, 1.0);
    this.thermalAlpha = 1 - Math.exp(-dt / rng.between(THERMAL_TAU_MIN, THERMAL_TAU_MAX));
    this.idleMemoryMiB = rng.chance(0.5) ? 4 : 7;
    this.clocksLockedWhenIdle = rng.chance(0.2);
    int total = 0;
    for (int w : XID_WEIGHTS) {
      total += w;
    }
    this.xidWeightTotal = total;
    this.energyMilliJoules = Math.floor(rng.between(0, 30 * 86_400.0 * 300 * 1000));
    this.pcieReplays = rng.chance(0.1) ? rng.nextInt(20) : 0;
    this.fbUsed = idleMemoryMiB;
    this.fbTarget = idleMemoryMiB;
    this.smClock = model.smClockIdleMHz();
    if (rng.chance(BUSY_AT_START)) {
      startJob();
      loadSecondsLeft = 0; // already running when the simulation starts
      fbUsed = fbTarget;
      utilLevel = jobUtil;
    } else {
      startIdle();
    }
    settle();
  }

  /** Advances one interval. */
  void step() {
    phaseSecondsLeft -= dt;
    if (phaseSecondsLeft <= 0) {
      if (busy) {
        startIdle();
      } else {
        startJob();
      }
    }
    stepXid();
    stepUtilisation();
    stepMemory();
    stepClock();
    stepPower();
    temperature += (ambient + degreesPerWatt * power - temperature) * thermalAlpha + 0.08 * rng.gaussian();
    energyMilliJoules += power * dt * 1000;
    if (rng.chance(dt / MEAN_PCIE_REPLAY_SECONDS)) {
      pcieReplays += 1 + rng.nextInt(3);
    }
  }

  /** The current value of {@code metric}, as DCGM would report it (integers where DCGM gives integers). */
  double value(DcgmMetric metric) {
    return switch (metric) {
      case GPU_UTIL -> util;
      case MEM_COPY_UTIL -> memCopyUtil;
      case ENC_UTIL, DEC_UTIL -> 0; // no video jobs in a training fleet
      case GPU_TEMP -> Math.round(temperature);
      case MEMORY_TEMP -> Math.round(temperature + 3 + memCopyUtil * 0.06);
      case POWER_USAGE -> Math.round(power * 1000) / 1000.0;
      case FB_USED -> fbUsed;
      case FB_FREE -> model.fbUsableMiB() - fbUsed;
      case SM_CLOCK -> smClock;
      case MEM_CLOCK -> model.memClockMHz();
      case XID_ERRORS -> xidCode;
      case TOTAL_ENERGY_CONSUMPTION -> Math.floor(energyMilliJoules);
      case PCIE_REPLAY_COUNTER -> pcieReplays;
      case GR_ENGINE_ACTIVE -> grActive;
      case SM_ACTIVE -> smActive;
      case PIPE_TENSOR_ACTIVE -> tensorActive;
      case DRAM_ACTIVE -> dramActive;
      case PCIE_TX_BYTES -> pcieTx;
      case PCIE_RX_BYTES -> pcieRx;
    };
  }

  private void startJob() {
    busy = true;
    phaseSecondsLeft = Math.max(MIN_PHASE_SECONDS, rng.exponential(MEAN_JOB_SECONDS));
    training = rng.chance(0.7);
    if (training) {
      jobUtil = rng.between(93, 103); // above 100 means pinned at 100 most of the time
      jobSigma = rng.between(1.0, 2.5);
      memCopyRatio = rng.between(0.55, 0.82);
      smActiveRatio = rng.between(0.82, 0.96);
      tensorRatio = rng.between(0.35, 0.65);
      jobMemoryMiB = (int) (model.fbUsableMiB() * rng.between(0.55, 0.97));
      checkpointEverySeconds = rng.between(300, 1800);
    } else {
      jobUtil = rng.between(20, 80);
      jobSigma = rng.between(4, 10);
      memCopyRatio = rng.between(0.25, 0.6);
      smActiveRatio = rng.between(0.5, 0.85);
      tensorRatio = rng.between(0.1, 0.35);
      jobMemoryMiB = (int) (model.fbUsableMiB() * rng.between(0.15, 0.6));
      checkpointEverySeconds = Double.POSITIVE_INFINITY;
    }
    secondsToCheckpoint = checkpointEverySeconds;
    pcieTxRate = rng.between(2e7, 4e8);
    pcieRxRate = pcieTxRate * rng.between(1.2, 3);
    loadSecondsLeft = rng.between(5, MAX_LOAD_SECONDS);
    fbTarget = jobMemoryMiB;
  }

  private void startIdle() {
    busy = false;
    phaseSecondsLeft = Math.max(MIN_PHASE_SECONDS, rng.exponential(MEAN_IDLE_SECONDS));
    fbTarget = idleMemoryMiB;
    checkpointSecondsLeft = 0;
  }

  private void stepXid() {
    if (xidSecondsLeft > 0) {
      xidSecondsLeft -= dt;
      if (xidSecondsLeft <= 0) {
        xidCode = 0;
      }
    }
    if (rng.chance(dt / MEAN_XID_SECONDS)) {
      xidCode = pickXid();
      xidSecondsLeft = XID_SHOWN_SECONDS;
      // application faults and uncorrectable errors kill the process that was running
      if (busy && xidCode != 63 && xidCode != 94) {
        startIdle();
      }
    }
  }

  private void stepUtilisation() {
    double target;
    double sigma;
    if (!busy) {
      target = 0;
      sigma = 0;
    } else if (loadSecondsLeft > 0) {
      loadSecondsLeft -= dt;
      target = 3;
      sigma = 2;
    } else if (checkpointSecondsLeft > 0) {
      checkpointSecondsLeft -= dt;
      target = 2;
      sigma = 2;
    } else {
      secondsToCheckpoint -= dt;
      if (secondsToCheckpoint <= 0) {
        secondsToCheckpoint = checkpointEverySeconds;
        checkpointSecondsLeft = rng.between(5, 40);
      }
      target = jobUtil;
      sigma = jobSigma;
    }
    // a process that exits takes its load with it at once; otherwise the level walks toward its target
    utilLevel = busy ? utilLevel + (target - utilLevel) * 0.5 + sigma * rng.gaussian() : 0;
    util = (int) Math.max(0, Math.min(100, Math.round(utilLevel)));
    if (!busy && util == 0 && rng.chance(0.002)) {
      util = 1 + rng.nextInt(3); // monitoring agents and the like touch an idle GPU now and then
    }
    memCopyUtil = util == 0 ? 0
        : (int) Math.max(0, Math.min(100, Math.round(util * memCopyRatio + 1.5 * rng.gaussian())));
    double load = util / 100.0;
    grActive = round3(Math.min(1, load * rng.between(0.97, 1.0)));
    smActive = round3(grActive * smActiveRatio);
    tensorActive = round3(smActive * tensorRatio);
    dramActive = round3(memCopyUtil / 100.0 * 0.9);
    double noise = 1 + 0.1 * rng.gaussian();
    pcieTx = busy ? Math.max(0, Math.round(pcieTxRate * (0.2 + load) * noise)) : 20_000 + rng.nextInt(30_000);
    pcieRx = busy ? Math.max(0, Math.round(pcieRxRate * (0.2 + load) * noise)) : 20_000 + rng.nextInt(30_000);
  }

  private void stepMemory() {
    if (busy && loadSecondsLeft <= 0 && rng.chance(dt / MEAN_MEMORY_CHANGE_SECONDS)) {
      // the framework's caching allocator grows or releases a block
      int delta = (256 << rng.nextInt(5)) * (rng.chance(0.6) ? 1 : -1);
      fbTarget = Math.max(idleMemoryMiB, Math.min(model.fbUsableMiB() - 64, fbTarget + delta));
    }
    if (fbUsed != fbTarget) {
      if (busy && loadSecondsLeft > 0) {
        // filling while the job loads: a few GiB per second
        int stepMiB = (int) Math.max(1, rng.between(1500, 6000) * dt);
        fbUsed = fbUsed < fbTarget ? Math.min(fbTarget, fbUsed + stepMiB) : Math.max(fbTarget, fbUsed - stepMiB);
      } else {
        fbUsed = fbTarget;
      }
    }
  }

  private void stepClock() {
    if (!busy) {
      throttleSecondsLeft = 0;
      smClock = clocksLockedWhenIdle ? model.smClockMaxMHz() : model.smClockIdleMHz();
      return;
    }
    if (throttleSecondsLeft > 0) {
      throttleSecondsLeft -= dt;
      smClock = throttleSecondsLeft > 0 ? throttledClock : model.smClockMaxMHz();
    } else if (rng.chance(dt / MEAN_THROTTLE_GAP_SECONDS)) {
      // a power or thermal slowdown: the clock steps down in 15 MHz bins for a while
      throttleSecondsLeft = rng.between(10, 120);
      throttledClock = Math.max(model.smClockIdleMHz(), model.smClockMaxMHz() - 15 * (1 + rng.nextInt(16)));
      smClock = throttledClock;
    } else {
      smClock = model.smClockMaxMHz();
    }
  }

  private void stepPower() {
    double clockRange = Math.max(1, model.smClockMaxMHz() - model.smClockIdleMHz());
    double clockShare = (smClock - model.smClockIdleMHz()) / clockRange;
    // leakage and memory refresh: higher when the clocks are up, whether or not kernels run
    double staticPower = staticPowerIdle * (1 + 0.8 * clockShare);
    double load = util / 100.0;
    double dynamic = (model.powerLimitW() - staticPower) * powerEfficiency
        * (0.8 * load * (0.7 + 0.3 * load) + 0.2 * memCopyUtil / 100.0) * (smClock / (double) model.smClockMaxMHz());
    double p = staticPower + dynamic + (1.0 + 6 * load) * rng.gaussian();
    power = Math.max(staticPowerIdle * 0.9, Math.min(model.powerLimitW(), p));
  }

  /** Values consistent with the phase drawn at construction, as if it had been running a while. */
  private void settle() {
    stepUtilisation();
    stepClock();
    stepPower();
    temperature = ambient + degreesPerWatt * power;
  }

  private int pickXid() {
    int r = rng.nextInt(xidWeightTotal);
    for (int i = 0; i < XID_CODES.length; i++) {
      r -= XID_WEIGHTS[i];
      if (r < 0) {
        return XID_CODES[i];
      }
    }
    return XID_CODES[XID_CODES.length - 1];
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
