package org.gputelemetry.pipeline.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and a server certificate it signs for 127.0.0.1, made with
 * the openssl command line (provisioned by {@code scripts/provision-test-deps.sh}).
 *
 * @param ca the CA certificate (PEM) a client trusts
 * @param cert the server certificate (PEM), for {@code IP:127.0.0.1} and {@code DNS:localhost}
 * @param key the server's private key (PEM)
 * @param otherCa a second CA that signed nothing here: trusting only it must fail verification
 */
public record TestCertificates(Path ca, Path cert, Path key, Path otherCa) {

  /** Creates the files in {@code dir}. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Path caKey = dir.resolve("ca.key");
    Path ca = dir.resolve("ca.crt");
    Path key = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.crt");
    Path ext = dir.resolve("server.ext");
    Path otherKey = dir.resolve("other-ca.key");
    Path otherCa = dir.resolve("other-ca.crt");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=telemetry test CA",
        "-keyout", caKey.toString(), "-out", ca.toString());
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key.toString(),
        "-out", csr.toString());
    Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=unrelated CA",
        "-keyout", otherKey.toString(), "-out", otherCa.toString());
    return new TestCertificates(ca, cert, key, otherCa);
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + output);
    }
  }
}
