package org.gputelemetry.pipeline.store.memory;

/** The Kubernetes placement a sample was taken in; stored as its {@link ContextDictionary} id. */
record SampleContext(String container, String pod, String namespace) {

  static final SampleContext NONE = new SampleContext(null, null, null);
}
