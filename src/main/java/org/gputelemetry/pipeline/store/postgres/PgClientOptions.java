package org.gputelemetry.pipeline.store.postgres;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gputelemetry.pipeline.config.ConfigException;
import org.gputelemetry.pipeline.config.StoreSettings;

/**
 * Translates {@link StoreSettings} into the Vert.x PostgreSQL client's options. Stateless.
 *
 * <p>{@code sslMode} follows libpq: {@code disable} never encrypts; {@code prefer} and
 * {@code require} encrypt (prefer falls back to plain text when the server has no TLS) and check
 * the server certificate only against {@code sslRootCert} when one is given; {@code verify-full}
 * requires {@code sslRootCert} and checks both the certificate chain and the host name.
 */
final class PgClientOptions {

  static final String APPLICATION_NAME = "gpu-telemetry-pipeline";

  private PgClientOptions() {
  }

  /** @throws ConfigException when the TLS settings cannot work together */
  static PgConnectOptions connect(StoreSettings s) {
    PgConnectOptions o = new PgConnectOptions()
        .setHost(s.host())
        .setPort(s.port())
        .setDatabase(s.database())
        .setUser(s.user())
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(128)
        .setReconnectAttempts(0);
    if (s.password() != null) {
      o.setPassword(s.password()); // none: the server authenticates otherwise (trust, certificate)
    }
    o.setProperties(Map.of("application_name", APPLICATION_NAME));
    SslMode mode = sslMode(s.sslMode());
    o.setSslMode(mode);
    if (mode != SslMode.DISABLE) {
      ClientSSLOptions ssl = new ClientSSLOptions();
      if (s.sslRootCert() != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(s.sslRootCert()));
      } else if (mode == SslMode.VERIFY_FULL) {
        throw new ConfigException("store.sslRootCert",
            "sslMode verify-full needs the CA certificate (PEM) that signed the server's certificate");
      } else {
        ssl.setTrustAll(true); // libpq's require/prefer: encrypted, server not authenticated
      }
      // The server's certificate must name the host we connect to only under verify-full.
      ssl.setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
      o.setSslOptions(ssl);
    }
    return o;
  }

  static PoolOptions pool(StoreSettings s) {
    return new PoolOptions()
        .setMaxSize(s.poolSize())
        .setName("telemetry-store-" + s.host() + ":" + s.port() + "/" + s.database())
        .setConnectionTimeout(30)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS);
  }

  /** Fails a connection attempt within seconds when the server is unreachable; keepalive finds dead peers. */
  static NetClientOptions transport() {
    return new NetClientOptions().setConnectTimeout(5_000).setTcpKeepAlive(true).setTcpNoDelay(true);
  }

  static SslMode sslMode(String setting) {
    return switch (setting) {
      case "disable" -> SslMode.DISABLE;
      case "prefer" -> SslMode.PREFER;
      case "require" -> SslMode.REQUIRE;
      case "verify-full" -> SslMode.VERIFY_FULL;
      default -> throw new ConfigException("store.sslMode", "expected disable, prefer, require or verify-full, got '"
          + setting + "'");
    };
  }
}
