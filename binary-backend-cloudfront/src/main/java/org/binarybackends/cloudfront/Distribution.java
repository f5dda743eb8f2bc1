package org.binarybackends.cloudfront;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.cloudfront.CloudFrontSettings.KeyPair;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.binarybackends.spi.SettingsReader;

/**
 * What both CloudFront settings types say of the distribution itself, whatever bucket it fronts:
 * its host (or a test endpoint), its key pairs, how long URLs live, the hash, the origin path. Read,
 * validated and written here once ({@link CloudFrontSettings} for an organization's bucket, {@link
 * PlatformCloudFrontSettings} for the platform's). Immutable.
 */
final class Distribution {
  final String host;
  final Optional<URI> endpoint;
  final List<KeyPair> keys;
  final Duration ttl;
  final HashAlgorithm hashAlgorithm;
  final String originPath;

  private Distribution(Fields f, URI endpoint, List<KeyPair> keys) {
    this.host = f.host;
    this.endpoint = Optional.ofNullable(endpoint);
    this.keys = List.copyOf(keys);
    this.ttl = f.ttl;
    this.hashAlgorithm = f.hashAlgorithm;
    this.originPath = f.originPath;
  }

  /** The base of every URL: {@code https://<host>}, or the test endpoint. */
  URI baseUrl() {
    return endpoint.orElseGet(() -> URI.create("https://" + host));
  }

  /** The path of URLs before an object's key: the bucket's {@code prefix} without the origin path. */
  String urlPathPrefix(String prefix) {
    return ("/" + prefix).substring(originPath.length() + 1);
  }

  String keyPairIds() {
    return keys.stream().map(KeyPair::keyPairId).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return baseUrl() + ", keys=" + keys + ", ttl=" + ttl.getSeconds() + "s, " + hashAlgorithm
        + (originPath.isEmpty() ? "" : ", originPath=" + originPath);
  }

  /** The distribution's fields of a settings object, private keys included only if {@code withKeys}. */
  void write(com.fasterxml.jackson.databind.node.ObjectNode o, boolean withKeys) {
    o.put("host", host);
    com.fasterxml.jackson.databind.node.ArrayNode k = o.putArray("keys");
    for (KeyPair pair : keys) {
      k.addObject().put("keyPairId", pair.keyPairId()).put("privateKey", withKeys
          ? pair.privateKey().pkcs8Base64().revealUtf8() : Secret.REDACTED);
    }
    o.put("ttlSeconds", ttl.getSeconds()).put("hashAlgorithm", hashAlgorithm.name());
    if (!originPath.isEmpty()) {
      o.put("originPath", originPath);
    }
    endpoint.ifPresent(e -> o.put("endpoint", e.toString()));
  }

  /**
   * A settings object of {@code type}: the distribution's fields, private keys included only if
   * {@code withKeys}, and {@code origin}, the bucket's own JSON.
   */
  com.fasterxml.jackson.databind.node.ObjectNode json(String type, boolean withKeys, String origin) {
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode o = mapper.createObjectNode().put("type", type);
    write(o, withKeys);
    try {
      o.set("origin", mapper.readTree(origin));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the origin's own JSON always reads", e);
    }
    return o;
  }

  /**
   * The setters of the distribution's fields, shared by both settings types' builders; not
   * thread-safe.
   *
   * @param <B> the settings type's own builder
   */
  abstract static class Builder<B extends Builder<B>> {
    final Fields fields = new Fields();

    Builder() {}

    abstract B self();

    /** The distribution's domain, or one of its alternate domains. */
    public B host(String host) {
      fields.host = host;
      return self();
    }

    /** For tests only: the base URL replacing {@code https://<host>}, {@code http(s)://host:port}. */
    public B endpoint(String endpoint) {
      fields.endpoint = endpoint;
      return self();
    }

    /**
     * Adds a key pair (keys are given oldest first).
     *
     * @param privateKey PEM text or PKCS#8 DER bytes of the private key
     * @param passphrase the passphrase of an encrypted key, else {@code null}
     */
    public B key(String keyPairId, Secret privateKey, Secret passphrase) {
      fields.rawKeys.add(new Fields.RawKey(keyPairId, privateKey, passphrase));
      return self();
    }

    /** The longest a URL lives. */
    public B ttl(Duration ttl) {
      fields.ttl = ttl;
      return self();
    }

    public B hashAlgorithm(HashAlgorithm hashAlgorithm) {
      fields.hashAlgorithm = hashAlgorithm;
      return self();
    }

    /** The distribution's origin path, e.g. {@code /firmware}. */
    public B originPath(String originPath) {
      fields.originPath = originPath;
      return self();
    }
  }

  /** The distribution's fields as given, validated together by {@link #build}; not thread-safe. */
  static final class Fields {
    String host;
    String endpoint;
    final List<RawKey> rawKeys = new ArrayList<>();
    Duration ttl = Duration.ofSeconds(CloudFrontSettings.DEFAULT_TTL_SECONDS);
    HashAlgorithm hashAlgorithm = HashAlgorithm.SHA1;
    String originPath = "";

    record RawKey(String keyPairId, Secret privateKey, Secret passphrase) {}

    /** Reads the distribution's fields of {@code json}, recording every violation in it. */
    void read(SettingsReader json) {
      host = json.requiredString("host", "the distribution's domain, e.g. d1234567890.cloudfront.net");
      List<SettingsReader> keys = json.requiredObjects("keys", "1 to " + CloudFrontSettings.MAX_KEYS + " key pairs "
          + "[{\"keyPairId\": ..., \"privateKey\": ...}], oldest first");
      for (SettingsReader k : keys) {
        String id = k.requiredString("keyPairId", "the id of the public key in CloudFront, e.g. K2JCJMDEHXQW5F");
        Secret key = k.optionalSecret("privateKey", "the private key: PEM text, or base64 of PKCS#8 DER");
        if (key == null && !k.has("privateKey")) {
          k.violation("privateKey", null, "the private key: PEM text, or base64 of PKCS#8 DER");
        } else if (key != null && !key.revealUtf8().contains("-----BEGIN")) {
          try {
            key = Secret.ofBase64("privateKey", key.revealUtf8().replaceAll("\\s", ""));
          } catch (InvalidInputException e) {
            k.violations(List.of(Violation.ofSecret("privateKey", "PEM text (-----BEGIN ...), or base64 of PKCS#8"
                + " DER; found neither")));
            key = null;
          }
        }
        Secret passphrase = k.optionalSecret("passphrase", "the passphrase of an encrypted private key");
        rawKeys.add(new RawKey(id, key, passphrase)); // keys[i], in order
      }
      ttl = Duration.ofSeconds(json.optionalLong("ttlSeconds", CloudFrontSettings.MIN_TTL_SECONDS,
          CloudFrontSettings.MAX_TTL_SECONDS, CloudFrontSettings.DEFAULT_TTL_SECONDS,
          "the longest a URL lives, in seconds"));
      String hash = json.optionalString("hashAlgorithm", "SHA1 or SHA256");
      if (hash != null) {
        if (hash.equals("SHA1") || hash.equals("SHA256")) {
          hashAlgorithm = HashAlgorithm.valueOf(hash);
        } else {
          json.violation("hashAlgorithm", hash, "SHA1 (CloudFront's default) or SHA256");
        }
      }
      String path = json.optionalString("originPath", "the distribution's origin path, e.g. /firmware");
      if (path != null) {
        originPath = path;
      }
      endpoint = json.optionalString("endpoint", "for tests only: http(s)://host:port");
    }

    /**
     * Validates every field against the bucket's {@code prefix} (null if the origin is missing or
     * invalid), adding violations to {@code v}.
     *
     * @return the distribution, or null if any field is out of range
     */
    Distribution build(List<Violation> v, String prefix) {
      int before = v.size();
      Violation h = CloudFrontSigner.hostViolation("host", host);
      if (h != null) {
        v.add(h);
      }
      URI endpointUri = endpoint == null ? null : endpoint(v, endpoint);
      List<KeyPair> keys = new ArrayList<>();
      if (rawKeys.isEmpty() || rawKeys.size() > CloudFrontSettings.MAX_KEYS) {
        v.add(Violation.of("keys", rawKeys.size() + " key pairs", "1 to " + CloudFrontSettings.MAX_KEYS + " key pairs"
            + " (a key group holds at most " + CloudFrontSettings.MAX_KEYS + " public keys)"));
      }
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < rawKeys.size(); i++) {
        RawKey raw = rawKeys.get(i);
        String field = "keys[" + i + "].";
        String id = raw.keyPairId();
        Violation idViolation = CloudFrontSigner.keyPairIdViolation(field + "keyPairId", id);
        if (idViolation != null) {
          v.add(idViolation);
        } else if (!ids.add(id)) {
          v.add(Violation.of(field + "keyPairId", id, "a key pair id given once; this one is repeated"));
        }
        CloudFrontKey key = null;
        try {
          key = CloudFrontKey.parse(raw.privateKey(), Optional.ofNullable(raw.passphrase()));
        } catch (InvalidInputException e) {
          e.violations().forEach(x -> v.add(new Violation(field + x.field(), x.shownValue(), x.allowed())));
        }
        if (idViolation == null && key != null) {
          keys.add(new KeyPair(id, key));
        }
      }
      if (ttl == null || ttl.getSeconds() < CloudFrontSettings.MIN_TTL_SECONDS
          || ttl.getSeconds() > CloudFrontSettings.MAX_TTL_SECONDS || ttl.getNano() != 0) {
        v.add(Violation.of("ttlSeconds", ttl == null ? null : ttl.toString(), "whole seconds from "
            + CloudFrontSettings.MIN_TTL_SECONDS + " to " + CloudFrontSettings.MAX_TTL_SECONDS + " (7 days)"));
      }
      if (hashAlgorithm == null) {
        v.add(Violation.missing("hashAlgorithm", "SHA1 or SHA256"));
      }
      if (originPath == null || !originPath.isEmpty() && !originPath.matches("(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")) {
        v.add(Violation.of("originPath", originPath, "empty, or a path beginning with '/' and not ending with '/', as"
            + " the distribution's origin settings show it, e.g. /firmware"));
      } else if (prefix != null && !originPath.isEmpty() && !("/" + prefix).startsWith(originPath + "/")) {
        v.add(Violation.of("originPath", originPath, "the beginning of the bucket's prefix '" + prefix
            + "' (CloudFront adds the origin path to every request), or empty"));
      }
      return v.size() > before ? null : new Distribution(this, endpointUri, keys);
    }

    private static URI endpoint(List<Violation> v, String value) {
      try {
        URI uri = new URI(value);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawQuery() == null
            && uri.getRawFragment() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
          return uri;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      v.add(Violation.of("endpoint", value, "for tests only: http(s)://host[:port], without path or query"));
      return null;
    }
  }
}
