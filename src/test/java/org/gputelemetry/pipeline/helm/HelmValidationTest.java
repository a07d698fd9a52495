package org.gputelemetry.pipeline.helm;

import static org.gputelemetry.pipeline.helm.HelmReleases.CA_PEM;
import static org.gputelemetry.pipeline.helm.HelmReleases.DB_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.REDIS_PASSWORD;
import static org.gputelemetry.pipeline.helm.HelmReleases.REDIS_SECRET;
import static org.gputelemetry.pipeline.helm.RenderedChart.sets;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Wrong values are refused by the schema, inconsistent ones by the chart's cross-field checks, with a clear message. */
class HelmValidationTest {

  @ParameterizedTest
  @MethodSource("wrongValues")
  void schemaRejectsWrongValues(String key, String value) {
    Exception e = assertThrows(Exception.class,
        () -> RenderedChart.render("telemetry-pipeline", null, sets("postgresql.auth.password", DB_PASSWORD, key, value)));
    assertTrue(e.getMessage().contains(key.substring(key.lastIndexOf('.') + 1)), e.getMessage());
  }

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        Arguments.of("streamer.kind", "Job"),
        Arguments.of("transport.type", "kafka"),
        Arguments.of("store.type", "mysql"),
        Arguments.of("streamer.config.timestampMode", "wallclock"),
        Arguments.of("streamer.config.streamInterval", "0s"),
        Arguments.of("collector.config.pollInterval", "soon"),
        Arguments.of("collector.config.workers", "65"),
        Arguments.of("externalDatabase.sslMode", "allow"),
        Arguments.of("externalRedis.database", "16"),
        Arguments.of("externalRedis.auth.passwordKey", "password"),
        Arguments.of("externalRedis.tls.caBundle", "x"),
        Arguments.of("externalDatabase.usr", "telemetry"),
        Arguments.of("collector.persistence.mountpoint", "/data"),
        Arguments.of("streamer.source.type", "prometheus"),
        Arguments.of("streamer.source.concurrency", "0"),
        Arguments.of("streamer.source.interval", "0s"),
        Arguments.of("streamer.persistence.mountPath", "relative/dir"),
        Arguments.of("collector.checkpointInterval", "often"),
        Arguments.of("collector.checkpointInterval", "500ms"),
        Arguments.of("clusterId", "edge/eu"),
        Arguments.of("streamer.replicas", "3"),
        Arguments.of("postgres", "true"));
  }

  @ParameterizedTest
  @MethodSource("inconsistentValues")
  void crossFieldChecksFailWithAClearMessage(String valuesFile, Map<String, String> sets, String message) {
    Exception e = assertThrows(Exception.class, () -> RenderedChart.render("telemetry-pipeline", valuesFile, sets));
    assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
  }

  static Stream<Arguments> inconsistentValues() {
    return Stream.of(
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.host", "", "externalRedis.existingSecret", REDIS_SECRET),
            "externalRedis.enabled=true needs externalRedis.host"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.enabled", "false", "externalRedis.existingSecret", REDIS_SECRET),
            "externalRedis.host is set but externalRedis.enabled=false: set externalRedis.enabled=true"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "transport.type", "redis"),
            "transport.type=redis needs a Redis: set externalRedis.enabled=true and externalRedis.host"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "externalRedis.enabled", "true",
            "externalRedis.host", "redis.example.com"), "externalRedis.enabled=true, but transport.type=clustered does not use Redis"),
        Arguments.of("values-edge-cluster.yaml", sets("redis.enabled", "true", "externalRedis.existingSecret", REDIS_SECRET),
            "both redis.enabled=true and externalRedis.enabled=true"),
        Arguments.of("values-edge-cluster.yaml", sets(), "externalRedis needs a password: set externalRedis.existingSecret"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.password", REDIS_PASSWORD,
            "externalRedis.auth.existingSecret", "redis-credentials"), "give the password once"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.auth.existingSecret", "redis-credentials"), "name different Secrets"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.enabled", "true", "externalRedis.tls.caCert", "redis-ca"),
            "externalRedis.tls.caCert holds the CA certificate itself (PEM"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.caCertSecret", "redis-ca"), "set externalRedis.tls.enabled=true"),
        Arguments.of("values-edge-cluster.yaml", sets("externalRedis.existingSecret", REDIS_SECRET,
            "externalRedis.tls.enabled", "true", "externalRedis.tls.caCert", CA_PEM, "externalRedis.tls.caCertSecret", "redis-ca"),
            "give the CA certificate once"),
        Arguments.of(null, sets("postgresql.enabled", "false", "externalDatabase.host", "db.example.com",
            "externalDatabase.user", "telemetry_user"), "set externalDatabase.username=telemetry_user instead"),
        Arguments.of(null, sets("postgresql.enabled", "false", "externalDatabase.host", "db.example.com",
            "externalDatabase.caCert", "db-ca"), "externalDatabase.caCert holds the CA certificate itself (PEM"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "collector.checkpointEnabled", "true"),
            "collector.checkpointEnabled checkpoints the embedded store (store.type=memory); with store.type=postgres"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.csvData", "a,b\n1,2",
            "streamer.csvConfigMap.name", "telemetry-csv"),
            "streamer.csvData and streamer.csvConfigMap.name are all set, but the streamer reads one CSV"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.persistence.enabled", "true",
            "streamer.source.type", "simulate"), "streamer.persistence.enabled gives the csv source a file, but streamer.source.type=simulate"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.source.targets[0]",
            "http://10.0.3.7:9400/metrics"), "streamer.source.type=csv does not scrape"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.source.type", "dcgm-exporter"),
            "needs streamer.source.targets (URLs or {url, hostname}), or streamer.kind=DaemonSet"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.persistence.enabled", "true",
            "streamer.kind", "DaemonSet"), "set streamer.persistence.accessModes to [ReadOnlyMany] or [ReadWriteMany]"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.source.type", "dcgm-exporter",
            "streamer.source.targets[0]", "ftp://10.0.3.7/metrics"), "streamer.source.targets.0: Does not match pattern"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.rate", "0.5"),
            "streamer.rate is whole rows per second per worker"),
        Arguments.of(null, sets("postgresql.enabled", "false"),
            "store.type=postgres needs a database for the collector/apiGateway: set externalDatabase.host"),
        Arguments.of(null, sets("postgresql.enabled", "false", "store.type", "memory", "collector.replicaCount", "2"),
            "store.type=memory keeps samples inside each collector pod"),
        Arguments.of(null, sets("postgresql.enabled", "false", "store.type", "memory", "apiGateway.enabled", "false",
            "collector.replicaCount", "2"), "store.type=memory with more than one collector replica"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "transport.type", "local"),
            "transport.type=local only works inside one JVM"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "streamer.autoscaling.enabled", "true"),
            "streamer.autoscaling needs streamer.kind=Deployment"),
        Arguments.of("values-edge-cluster.yaml", sets("streamer.kind", "DaemonSet", "externalRedis.existingSecret", REDIS_SECRET),
            "mq.persistence needs one volume per streamer pod"),
        Arguments.of("values-edge-cluster.yaml", sets("streamer.kind", "Deployment", "externalRedis.existingSecret", REDIS_SECRET),
            "mq.persistence with a streamer Deployment of more than one replica"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "externalDatabase.host", "db.example.com"),
            "both postgresql.enabled=true and externalDatabase.host are set"),
        Arguments.of("values-central-cluster.yaml", sets("postgresql.auth.password", DB_PASSWORD,
            "postgresql.auth.existingSecret", "db", "externalRedis.existingSecret", REDIS_SECRET), "give the password once"),
        Arguments.of(null, sets("postgresql.auth.password", DB_PASSWORD, "collector.autoscaling.enabled", "true",
            "collector.autoscaling.minReplicas", "5", "collector.autoscaling.maxReplicas", "2"),
            "collector.autoscaling.minReplicas (5) is greater than maxReplicas (2)"),
        Arguments.of(null, sets("streamer.enabled", "false", "collector.enabled", "false", "apiGateway.enabled", "false",
            "postgresql.enabled", "false"), "nothing to install"));
  }
}
