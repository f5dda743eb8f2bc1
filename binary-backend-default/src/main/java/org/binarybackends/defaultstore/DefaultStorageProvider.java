package org.binarybackends.defaultstore;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import org.binarybackends.BinaryBackend;
import java.util.List;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.defaultstore.internal.DefaultStorageBackend;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/**
 * The provider of type {@code default}: the platform's own storage on the local filesystem. Found
 * by {@link java.util.ServiceLoader}; stateless and thread-safe.
 *
 * <p>Settings in JSON:
 *
 * <pre>{@code
 * {
 *   "type": "default",
 *   "name": "platform",                         // optional: what stored locations record
 *   "root": "/var/lib/binaries",
 *   "rootId": "<32 hex digits: the id the root carries>",
 *   "downloadBaseUri": "https://downloads.example.com/",   // and/or:
 *   "downloadServerAddress": "0.0.0.0:8080",
 *   "signingKeys": [ { "id": "2026-11", "secret": "<base64 of at least 32 random bytes>" } ],
 *   "activeSigningKeyId": "2026-11",            // optional: the first key by default
 *   "maxDownloadTtlSeconds": 604800,            // optional: 7 days by default
 *   "bufferSize": 1048576,                      // optional
 *   "staleTempAgeSeconds": 3600,                // optional
 *   "maxConnections": 10000,                    // optional: the embedded server's limits
 *   "requestHeaderTimeoutSeconds": 10,          // optional
 *   "sendStallTimeoutSeconds": 60,              // optional
 *   "ioThreads": 0,                             // optional: 0 is one per processor
 *   "socketSendBufferBytes": 0                  // optional: 0 is the operating system's choice
 * }
 * }</pre>
 */
public final class DefaultStorageProvider implements BinaryBackendProvider<DefaultStorageSettings> {

  /** The provider {@link java.util.ServiceLoader} finds; stateless, so one may also be made directly. */
  public DefaultStorageProvider() {}

  @Override
  public String type() {
    return DefaultStorageSettings.TYPE;
  }

  @Override
  public Class<DefaultStorageSettings> settingsType() {
    return DefaultStorageSettings.class;
  }

  @Override
  public DefaultStorageSettings readSettings(SettingsReader json) {
    DefaultStorageSettings.Builder b = DefaultStorageSettings.builder();
    json.skip("type");
    String name = json.optionalString("name", "1 to 32 characters of a-z 0-9 -");
    if (name != null) {
      b.name(name);
    }
    String root = json.requiredString("root", "an absolute directory path");
    if (root != null) {
      try {
        b.root(Path.of(root));
      } catch (InvalidPathException e) {
        json.violation("root", root, "a valid path: " + e.getReason());
      }
    }
    b.rootId(json.optionalSecret("rootId", "32 lowercase hex digits: the id the root carries"));
    String base = json.optionalString("downloadBaseUri", "an absolute http or https URI");
    if (base != null) {
      try {
        b.downloadBaseUri(new URI(base));
      } catch (URISyntaxException e) {
        json.violation("downloadBaseUri", base, "an absolute http or https URI: " + e.getReason());
      }
    }
    String address = json.optionalString("downloadServerAddress", "host:port");
    if (address != null) {
      int colon = address.lastIndexOf(':');
      try {
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        b.downloadServerAddress(new InetSocketAddress(host, port));
      } catch (RuntimeException e) {
        json.violation("downloadServerAddress", address, "host:port with a port 0 to 65535, e.g. 127.0.0.1:8080");
      }
    }
    for (SettingsReader key : json.requiredObjects("signingKeys", "an array of {\"id\", \"secret\"}")) {
      String id = key.requiredString("id", "1 to 32 characters of A-Z a-z 0-9 _ -");
      Secret secret = key.requiredSecretBase64("secret", "base64 of at least 32 random bytes");
      if (id != null && secret != null) {
        List<Violation> problems = SigningKey.violations("", id, secret);
        if (problems.isEmpty()) {
          b.addSigningKey(SigningKey.of(id, secret));
        } else {
          key.violations(problems);
        }
      }
    }
    b.activeSigningKeyId(json.optionalString("activeSigningKeyId", "the id of one of the signing keys"));
    b.maxDownloadTtl(Duration.ofSeconds(json.optionalLong("maxDownloadTtlSeconds", 1, 365L * 24 * 3600,
        DefaultStorageSettings.DEFAULT_MAX_DOWNLOAD_TTL.getSeconds(), "seconds")));
    b.bufferSize((int) json.optionalLong("bufferSize", 4096, 64 << 20, DefaultStorageSettings.DEFAULT_BUFFER_SIZE,
        "bytes"));
    b.staleTempAge(Duration.ofSeconds(json.optionalLong("staleTempAgeSeconds", 0, Long.MAX_VALUE / 1000,
        DefaultStorageSettings.DEFAULT_STALE_TEMP_AGE.getSeconds(), "seconds")));
    b.maxConnections((int) json.optionalLong("maxConnections", 1, 1_000_000,
        DefaultStorageSettings.DEFAULT_MAX_CONNECTIONS, "connections"));
    b.requestHeaderTimeout(Duration.ofSeconds(json.optionalLong("requestHeaderTimeoutSeconds", 1, 3600,
        DefaultStorageSettings.DEFAULT_REQUEST_HEADER_TIMEOUT.getSeconds(), "seconds")));
    b.sendStallTimeout(Duration.ofSeconds(json.optionalLong("sendStallTimeoutSeconds", 1, 3600,
        DefaultStorageSettings.DEFAULT_SEND_STALL_TIMEOUT.getSeconds(), "seconds")));
    b.ioThreads((int) json.optionalLong("ioThreads", 0, 256, 0, "threads (0: one per processor)"));
    b.socketSendBufferBytes((int) json.optionalLong("socketSendBufferBytes", 0, 64 << 20, 0,
        "bytes (0: the operating system's choice)"));
    return json.finish(b::build);
  }

  @Override
  public BinaryBackend create(DefaultStorageSettings settings, BackendContext context) {
    return new DefaultStorageBackend(settings, context);
  }
}
