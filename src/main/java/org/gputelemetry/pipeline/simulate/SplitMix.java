package org.gputelemetry.pipeline.simulate;

/**
 * SplitMix64 (Steele, Lea and Flood, 2014; the generator behind {@link java.util.SplittableRandom}):
 * one long of state, so each simulated GPU carries its own stream and a GPU's values do not depend
 * on how many others are simulated beside it. Not thread-safe; one instance per GPU.
 */
final class SplitMix {

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final double UNIT_53 = 0x1.0p-53;
  private static final double UNIT_21 = 0x1.0p-21;

  private long state;

  SplitMix(long seed) {
    this.state = seed;
  }

  /** A stream for item {@code index} of a seed, independent of the streams of other indexes. */
  static SplitMix forItem(long seed, long salt, long index) {
    return new SplitMix(mix(mix(seed ^ salt) + index * GOLDEN_GAMMA));
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    return mix(state += GOLDEN_GAMMA);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * UNIT_53;
  }

  /** Uniform in [from, to). */
  double between(double from, double to) {
    return from + (to - from) * nextDouble();
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    return (int) ((nextLong() >>> 33) % bound);
  }

  boolean chance(double p) {
    return nextDouble() < p;
  }

  /**
   * Roughly standard normal (mean 0, deviation 1, within ±3.5): the sum of three uniforms from one
   * draw, which is all the noise needs and costs no logarithm or square root per sample.
   */
  double gaussian() {
    long r = nextLong();
    double sum = ((r >>> 43) & 0x1FFFFF) * UNIT_21 + ((r >>> 22) & 0x1FFFFF) * UNIT_21 + ((r >>> 1) & 0x1FFFFF) * UNIT_21;
    return (sum - 1.5) * 2.0;
  }

  /** Exponentially distributed with the given mean (a memoryless waiting time). */
  double exponential(double mean) {
    return -mean * Math.log(1.0 - nextDouble());
  }
}
