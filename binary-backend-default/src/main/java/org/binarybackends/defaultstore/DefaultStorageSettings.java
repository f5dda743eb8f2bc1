package org.binarybackends.defaultstore;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.spi.BackendSettings;

/**
 * Settings of the default storage: the platform's own, embedded on the local filesystem under one
 * root shared by all organizations. Immutable; built by {@link #builder()}, whose {@link
 * Builder#build()} reports every violation at once. {@link #toString()} shows no secret.
 *
 * <p>Downloads go through signed URLs {@code <base>/<organization>/<key>?expires=..&kid=..&sig=..}.
 * The base is {@link #downloadBaseUri()} when set (the address devices use, e.g. behind a reverse
 * proxy), else the embedded download server's own address. At least one of the two must be set.
 *
 * <p><b>The root's id.</b> A root carries a random id, written into it when it is created; settings
 * open a root only by naming that id ({@link Builder#rootId}), so that knowing the path of the
 * platform's root is not enough to open it: an organization allowed to register storage of this type
 * (see the activation policy) cannot name the platform's root, or another organization's, with
 * signing keys of its own. The platform's own configuration holds its root's id, like its signing
 * keys; {@link #newRootId()} makes one for a new root. The id is treated as a secret: never shown.
 */
public final class DefaultStorageSettings implements BackendSettings {
  static final String TYPE = "default";
  /** Signed URLs last at most this long unless configured otherwise. */
  public static final Duration DEFAULT_MAX_DOWNLOAD_TTL = Duration.ofDays(7);
  public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
  public static final Duration DEFAULT_STALE_TEMP_AGE = Duration.ofHours(1);
  static final int MAX_ROOT_PATH_CHARS = 512;
  /** The embedded server refuses connections beyond this many open at once, unless configured otherwise. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** A connection whose request headers are incomplete this long after it opened (or after its previous response) is closed. */
  public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
  /** A download whose client accepted no bytes for this long is closed. */
  public static final Duration DEFAULT_SEND_STALL_TIMEOUT = Duration.ofSeconds(60);
  /** The name of the platform's own default storage. */
  public static final String DEFAULT_NAME = "platform";
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final java.util.regex.Pattern ROOT_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");
  static final String ROOT_ID_FORMAT = "32 lowercase hex digits (128 random bits; DefaultStorageSettings.newRootId()"
      + " makes one for a new root; an existing root's is the id= line of its binary-backends-storage.properties)";
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final String name;
  private final Path root;
  private final Secret rootId;
  private final URI downloadBaseUri;
  private final InetSocketAddress downloadServerAddress;
  private final List<SigningKey> signingKeys;
  private final String activeSigningKeyId;
  private final Duration maxDownloadTtl;
  private final int bufferSize;
  private final Duration staleTempAge;
  private final int maxConnections;
  private final Duration requestHeaderTimeout;
  private final Duration sendStallTimeout;
  private final int ioThreads;
  private final int socketSendBufferBytes;

  private DefaultStorageSettings(Builder b) {
    this.name = b.name;
    this.root = b.root.toAbsolutePath().normalize();
    this.rootId = b.rootId;
    this.downloadBaseUri = b.downloadBaseUri == null ? null : withTrailingSlash(b.downloadBaseUri);
    this.downloadServerAddress = b.downloadServerAddress;
    this.signingKeys = List.copyOf(b.signingKeys);
    this.activeSigningKeyId = b.activeSigningKeyId == null ? b.signingKeys.get(0).id() : b.activeSigningKeyId;
    this.maxDownloadTtl = b.maxDownloadTtl;
    this.bufferSize = b.bufferSize;
    this.staleTempAge = b.staleTempAge;
    this.maxConnections = b.maxConnections;
    this.requestHeaderTimeout = b.requestHeaderTimeout;
    this.sendStallTimeout = b.sendStallTimeout;
    this.ioThreads = b.ioThreads;
    this.socketSendBufferBytes = b.socketSendBufferBytes;
  }

  private static URI withTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? uri : URI.create(s + "/");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A new random root id, for the configuration of a root not created yet: 32 hex digits from a
   * {@link java.security.SecureRandom}. Keep it with the platform's configuration, as its signing keys.
   */
  public static Secret newRootId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Secret.of(java.util.HexFormat.of().formatHex(bytes));
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder().name(name).root(root).rootId(rootId).downloadBaseUri(downloadBaseUri).downloadServerAddress(downloadServerAddress)
        .activeSigningKeyId(activeSigningKeyId).maxDownloadTtl(maxDownloadTtl).bufferSize(bufferSize)
        .staleTempAge(staleTempAge).maxConnections(maxConnections).requestHeaderTimeout(requestHeaderTimeout)
        .sendStallTimeout(sendStallTimeout).ioThreads(ioThreads).socketSendBufferBytes(socketSendBufferBytes);
    signingKeys.forEach(b::addSigningKey);
    return b;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * {@code default{name=<name>}}: the name only, not the root directory, so that moving the root
   * keeps every stored location valid; two storages of this type (the platform's, and say an
   * organization's own on-premises one) differ by name.
   */
  @Override
  public BackendInstanceId instanceId() {
    return BackendInstanceId.of(TYPE, java.util.Map.of("name", name));
  }

  /** The storage's name, {@value #DEFAULT_NAME} unless set: what its binaries' locations record. */
  public String name() {
    return name;
  }

  /** The absolute, normalized root directory; created if missing. */
  public Path root() {
    return root;
  }

  /**
   * The id the root carries: a root is opened only by settings naming its id, and a new one is
   * created with it. A secret: never shown.
   */
  public Secret rootId() {
    return rootId;
  }

  /** The base of signed download URLs as devices reach it, ending with {@code /}. */
  public Optional<URI> downloadBaseUri() {
    return Optional.ofNullable(downloadBaseUri);
  }

  /** Where the embedded download server listens, if it should run; port 0 picks a free port. */
  public Optional<InetSocketAddress> downloadServerAddress() {
    return Optional.ofNullable(downloadServerAddress);
  }

  /** Every trusted signing key; URLs signed by any of them are accepted. */
  public List<SigningKey> signingKeys() {
    return signingKeys;
  }

  /** The id of the key that signs new URLs. */
  public String activeSigningKeyId() {
    return activeSigningKeyId;
  }

  public Duration maxDownloadTtl() {
    return maxDownloadTtl;
  }

  /** The size of the buffer one put or download copies through. */
  public int bufferSize() {
    return bufferSize;
  }

  /**
   * Temp files of interrupted puts and leftover verify probes untouched for this long are deleted
   * when the storage starts and then every half of it (at most every 10 minutes); this process's own
   * puts in progress are never deleted, and the age protects those of another process sharing the root.
   */
  public Duration staleTempAge() {
    return staleTempAge;
  }

  /**
   * The most connections the embedded download server keeps open at once; one more is answered
   * {@code 503} with {@code Retry-After} and closed. {@value #DEFAULT_MAX_CONNECTIONS} by default.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * How long a connection may take to send complete request headers, counted from when it opened
   * (or from the end of its previous response): a trickle of header bytes does not extend it. 10 s
   * by default.
   */
  public Duration requestHeaderTimeout() {
    return requestHeaderTimeout;
  }

  /**
   * How long a download may go without the client accepting a single byte before it is closed. A
   * client reading steadily, however slowly, is never cut: only one that stops. 60 s by default.
   */
  public Duration sendStallTimeout() {
    return sendStallTimeout;
  }

  /** The embedded server's event-loop threads; 0 (the default) means one per available processor. */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * The socket send buffer of each download connection ({@code SO_SNDBUF}); 0 (the default) leaves
   * it to the operating system, which sizes it to the connection. A fixed value bounds the kernel
   * memory of each connection at the cost of throughput over long round trips.
   */
  public int socketSendBufferBytes() {
    return socketSendBufferBytes;
  }

  @Override
  public String toString() {
    return "DefaultStorageSettings{name=" + name + ", root=" + root + ", rootId=" + Secret.REDACTED + ", downloadBaseUri=" + downloadBaseUri
        + ", downloadServerAddress=" + downloadServerAddress + ", signingKeys="
        + signingKeys.stream().map(SigningKey::id).collect(Collectors.toList()) + " (secrets ***)"
        + ", activeSigningKeyId=" + activeSigningKeyId + ", maxDownloadTtl=" + maxDownloadTtl
        + ", bufferSize=" + bufferSize + ", staleTempAge=" + staleTempAge + ", maxConnections=" + maxConnections
        + ", requestHeaderTimeout=" + requestHeaderTimeout + ", sendStallTimeout=" + sendStallTimeout
        + ", ioThreads=" + ioThreads + ", socketSendBufferBytes=" + socketSendBufferBytes + "}";
  }

  /**
   * These settings as JSON for display: the signing keys' secrets and the root id written
   * {@code "***"} (such JSON is refused if read). {@link #toSettingsJson()} is the one that holds them.
   *
   * @throws org.binarybackends.InvalidInputException if a duration is not whole seconds (JSON gives
   *     them in seconds; sub-second timeouts are for tests)
   */
  public String toJson() {
    return json(false).toString();
  }

  /**
   * These settings as JSON the provider reads back to equal settings, secrets included: reveal them
   * only to hand them over (to a registry, or a sealed store).
   *
   * @throws org.binarybackends.InvalidInputException if a duration is not whole seconds
   */
  public org.binarybackends.activation.SettingsJson toSettingsJson() {
    return org.binarybackends.activation.SettingsJson.of(json(true).toString());
  }

  private com.fasterxml.jackson.databind.node.ObjectNode json(boolean withSecrets) {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", TYPE).put("name", name).put("root", root.toString())
        .put("rootId", withSecrets ? rootId.revealUtf8() : Secret.REDACTED);
    downloadBaseUri().ifPresent(u -> o.put("downloadBaseUri", u.toString()));
    downloadServerAddress().ifPresent(a -> o.put("downloadServerAddress", (a.getHostString().contains(":")
        ? "[" + a.getHostString() + "]" : a.getHostString()) + ":" + a.getPort()));
    com.fasterxml.jackson.databind.node.ArrayNode keys = o.putArray("signingKeys");
    for (SigningKey k : signingKeys) {
      keys.addObject().put("id", k.id()).put("secret", withSecrets
          ? java.util.Base64.getEncoder().encodeToString(k.secret().reveal()) : Secret.REDACTED);
    }
    o.put("activeSigningKeyId", activeSigningKeyId).put("maxDownloadTtlSeconds", seconds("maxDownloadTtl", maxDownloadTtl))
        .put("bufferSize", bufferSize).put("staleTempAgeSeconds", seconds("staleTempAge", staleTempAge))
        .put("maxConnections", maxConnections)
        .put("requestHeaderTimeoutSeconds", seconds("requestHeaderTimeout", requestHeaderTimeout))
        .put("sendStallTimeoutSeconds", seconds("sendStallTimeout", sendStallTimeout)).put("ioThreads", ioThreads)
        .put("socketSendBufferBytes", socketSendBufferBytes);
    return o;
  }

  private static long seconds(String field, Duration d) {
    if (d.getNano() != 0) {
      throw org.binarybackends.InvalidInputException.of(field, d.toString(),
          "whole seconds, to be written as JSON (which gives durations in seconds)");
    }
    return d.getSeconds();
  }

  /** Builds {@link DefaultStorageSettings}; not thread-safe. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Path root;
    private Secret rootId;
    private URI downloadBaseUri;
    private InetSocketAddress downloadServerAddress;
    private final List<SigningKey> signingKeys = new ArrayList<>();
    private String activeSigningKeyId;
    private Duration maxDownloadTtl = DEFAULT_MAX_DOWNLOAD_TTL;
    private int bufferSize = DEFAULT_BUFFER_SIZE;
    private Duration staleTempAge = DEFAULT_STALE_TEMP_AGE;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration requestHeaderTimeout = DEFAULT_REQUEST_HEADER_TIMEOUT;
    private Duration sendStallTimeout = DEFAULT_SEND_STALL_TIMEOUT;
    private int ioThreads;
    private int socketSendBufferBytes;

    private Builder() {}

    /** The storage's name: 1 to 32 of {@code a-z 0-9 -}; {@value DefaultStorageSettings#DEFAULT_NAME} by default. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The root directory (required); created if missing. */
    public Builder root(Path root) {
      this.root = root;
      return this;
    }

    /**
     * The id of the root (required): 32 lowercase hex digits, from {@link DefaultStorageSettings#newRootId()} for a new
     * root, or the {@code id=} line of an existing root's {@code binary-backends-storage.properties}.
     * A new root is created with it; an existing root is opened only if it carries this id.
     */
    public Builder rootId(Secret id) {
      this.rootId = id;
      return this;
    }

    /** The base of signed download URLs as devices reach it: an absolute http(s) URI. */
    public Builder downloadBaseUri(URI uri) {
      this.downloadBaseUri = uri;
      return this;
    }

    /** Run the embedded download server on this address (port 0: any free port). */
    public Builder downloadServerAddress(InetSocketAddress address) {
      this.downloadServerAddress = address;
      return this;
    }

    /** Trusts {@code key}; the first added signs new URLs unless {@link #activeSigningKeyId} says otherwise. */
    public Builder addSigningKey(SigningKey key) {
      this.signingKeys.add(key);
      return this;
    }

    public Builder activeSigningKeyId(String id) {
      this.activeSigningKeyId = id;
      return this;
    }

    public Builder maxDownloadTtl(Duration ttl) {
      this.maxDownloadTtl = ttl;
      return this;
    }

    public Builder bufferSize(int bytes) {
      this.bufferSize = bytes;
      return this;
    }

    public Builder staleTempAge(Duration age) {
      this.staleTempAge = age;
      return this;
    }

    /** See {@link DefaultStorageSettings#maxConnections()}: 1 to 1,000,000. */
    public Builder maxConnections(int connections) {
      this.maxConnections = connections;
      return this;
    }

    /** See {@link DefaultStorageSettings#requestHeaderTimeout()}: 100 ms to 1 hour. */
    public Builder requestHeaderTimeout(Duration timeout) {
      this.requestHeaderTimeout = timeout;
      return this;
    }

    /** See {@link DefaultStorageSettings#sendStallTimeout()}: 100 ms to 1 hour. */
    public Builder sendStallTimeout(Duration timeout) {
      this.sendStallTimeout = timeout;
      return this;
    }

    /** See {@link DefaultStorageSettings#ioThreads()}: 0 to 256. */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /** See {@link DefaultStorageSettings#socketSendBufferBytes()}: 0, or 4,096 to 67,108,864. */
    public Builder socketSendBufferBytes(int bytes) {
      this.socketSendBufferBytes = bytes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws InvalidConfigurationException listing every violation
     */
    public DefaultStorageSettings build() {
      List<Violation> v = new ArrayList<>();
      if (name == null || !NAME.matcher(name).matches()) {
        v.add(Violation.of("name", name, "1 to 32 characters of a-z 0-9 -, starting with a letter or digit"));
      }
      if (root == null) {
        v.add(Violation.missing("root", "an absolute directory path"));
      } else if (root.toAbsolutePath().normalize().toString().length() > MAX_ROOT_PATH_CHARS) {
        v.add(Violation.of("root", root.toString(), "a path of at most " + MAX_ROOT_PATH_CHARS
            + " characters, so that the longest key (about 3,300 characters of path) fits the 4,096-byte limit"));
      }
      if (rootId == null) {
        v.add(Violation.missing("rootId", ROOT_ID_FORMAT));
      } else if (!ROOT_ID.matcher(rootId.revealUtf8()).matches()) {
        v.add(Violation.ofSecret("rootId", ROOT_ID_FORMAT));
      }
      if (downloadBaseUri != null) {
        String scheme = downloadBaseUri.getScheme();
        if (!downloadBaseUri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))
            || downloadBaseUri.getHost() == null || downloadBaseUri.getRawQuery() != null
            || downloadBaseUri.getRawFragment() != null) {
          v.add(Violation.of("downloadBaseUri", downloadBaseUri.toString(),
              "an absolute http or https URI with a host, without query or fragment"));
        }
      }
      if (downloadServerAddress != null && downloadServerAddress.isUnresolved()) {
        v.add(Violation.of("downloadServerAddress", downloadServerAddress.getHostString(),
            "a local address to listen on (an IP address or a name this host resolves)"));
      }
      if (downloadBaseUri == null && downloadServerAddress == null) {
        v.add(Violation.missing("downloadBaseUri",
            "downloadBaseUri, downloadServerAddress or both: signed URLs need a base address"));
      }
      if (signingKeys.isEmpty()) {
        v.add(Violation.missing("signingKeys", "at least one signing key"));
      }
      Set<String> ids = new HashSet<>();
      for (SigningKey k : signingKeys) {
        if (!ids.add(k.id())) {
          v.add(Violation.of("signingKeys", k.id(), "distinct key ids; '" + k.id() + "' appears twice"));
        }
      }
      if (activeSigningKeyId != null && !ids.contains(activeSigningKeyId)) {
        v.add(Violation.of("activeSigningKeyId", activeSigningKeyId, "the id of one of the signing keys " + ids));
      }
      if (maxDownloadTtl == null || maxDownloadTtl.compareTo(Duration.ofSeconds(1)) < 0
          || maxDownloadTtl.compareTo(Duration.ofDays(365)) > 0) {
        v.add(Violation.of("maxDownloadTtl", String.valueOf(maxDownloadTtl), "1 second to 365 days"));
      }
      if (bufferSize < 4096 || bufferSize > 64 << 20) {
        v.add(Violation.of("bufferSize", Integer.toString(bufferSize), "4096 to 67108864 bytes"));
      }
      if (staleTempAge == null || staleTempAge.isNegative()) {
        v.add(Violation.of("staleTempAge", String.valueOf(staleTempAge), "a duration >= 0"));
      }
      if (maxConnections < 1 || maxConnections > 1_000_000) {
        v.add(Violation.of("maxConnections", Integer.toString(maxConnections), "1 to 1000000"));
      }
      timeout(v, "requestHeaderTimeout", requestHeaderTimeout);
      timeout(v, "sendStallTimeout", sendStallTimeout);
      if (ioThreads < 0 || ioThreads > 256) {
        v.add(Violation.of("ioThreads", Integer.toString(ioThreads), "0 (one per processor) to 256"));
      }
      if (socketSendBufferBytes != 0 && (socketSendBufferBytes < 4096 || socketSendBufferBytes > 64 << 20)) {
        v.add(Violation.of("socketSendBufferBytes", Integer.toString(socketSendBufferBytes),
            "0 (the operating system's choice), or 4096 to 67108864 bytes"));
      }
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      return new DefaultStorageSettings(this);
    }

    private static void timeout(List<Violation> v, String field, Duration value) {
      if (value == null || value.compareTo(Duration.ofMillis(100)) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
        v.add(Violation.of(field, String.valueOf(value), "100 milliseconds to 1 hour"));
      }
    }
  }
}
