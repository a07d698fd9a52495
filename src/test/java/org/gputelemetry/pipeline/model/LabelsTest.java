package org.gputelemetry.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void labelsAreSortedByNameWhateverTheInputOrder() {
    Labels a = Labels.of("xid", "13", "err_code", "13");
    Labels b = Labels.of(Map.of("err_code", "13", "xid", "13"));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("err_code", a.name(0));
    assertEquals("err_code=\"13\",xid=\"13\"", a.canonical());
  }

  @Test
  void anEmptySetIsTheSharedEmptyInstance() {
    assertSame(Labels.EMPTY, Labels.of(Map.of()));
    assertSame(Labels.EMPTY, Labels.of((Map<String, String>) null));
    assertEquals("", Labels.EMPTY.canonical());
    assertSame(Labels.EMPTY, Labels.parseCanonical(""));
  }

  @Test
  void canonicalTextTellsEveryDistinctSetApartAndParsesBack() {
    Labels tricky = Labels.of("a", "x\",b=\"y", "c", "back\\slash\nline");
    Labels two = Labels.of("a", "x", "b", "y");
    assertNotEquals(tricky.canonical(), two.canonical());
    assertEquals(tricky, Labels.parseCanonical(tricky.canonical()));
    assertEquals(two, Labels.parseCanonical(two.canonical()));
  }

  @Test
  void malformedCanonicalTextIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Labels.parseCanonical("a=1"));
    assertThrows(IllegalArgumentException.class, () -> Labels.parseCanonical("a=\"1"));
    assertThrows(IllegalArgumentException.class, () -> Labels.parseCanonical("a=\"1\"b=\"2\""));
  }

  @Test
  void anOddNumberOfArgumentsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Labels.of("a"));
  }

  @Test
  void samplesWithoutLabelsCarryTheEmptySet() {
    Sample s = new Sample(new Gpu("GPU-1", 0, null, null, null), "M", 1, 2, null, null, null);
    assertSame(Labels.EMPTY, s.labels());
    assertSame(Labels.EMPTY, new Sample(s.gpu(), "M", 1, 2, null, null, null, null).labels());
  }
}
