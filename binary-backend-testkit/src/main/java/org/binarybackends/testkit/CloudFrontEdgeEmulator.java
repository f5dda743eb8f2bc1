package org.binarybackends.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local stand-in for a CloudFront distribution that requires signed URLs: it verifies each
 * request's canned or custom policy (in the URL, or in signed cookies) with the public keys of its
 * key group, using the JDK's own
 * verifiers (independent of any signing code under test), then serves the object from an
 * {@link Origin}.
 *
 * <p>It answers as CloudFront does, with its distinct error documents: {@code MissingKey} (no
 * {@code Key-Pair-Id}), {@code InvalidKey} ("Unknown Key": not in the key group), {@code
 * MalformedPolicy}, {@code AccessDenied} (a signature that does not verify, an expired URL, one not
 * valid yet, a client outside the policy's IP range, a resource the policy does not cover), and,
 * from the origin, S3's 403 for a missing object as behind Origin Access Control (with S3's
 * {@code RequestId}, which CloudFront's own documents lack). Every answer carries CloudFront's
 * {@code Server} and {@code X-Amz-Cf-Id} headers, and a {@code Date} of the wall clock (the JDK's HTTP
 * server sets it, whatever the emulator's clock says); a single {@code Range}
 * gets 206 or 416. {@link #servesHost(boolean) servesHost(false)} answers as CloudFront does for a
 * domain no distribution serves. With
 * {@link #requireSignedUrls(boolean) requireSignedUrls(false)} it serves unsigned requests, as a
 * misconfigured distribution would. Time is its clock's. Thread-safe; also a JUnit 5 extension that
 * stops it after all tests.
 */
public final class CloudFrontEdgeEmulator implements AutoCloseable, AfterAllCallback {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> OWN = List.of("Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm");

  /** Where the emulator fetches objects from, by path (still percent-encoded). */
  @FunctionalInterface
  public interface Origin {
    /**
     * The object at {@code rawPath}, or empty: answered with S3's 403, as S3 answers CloudFront behind
     * Origin Access Control for an object that is missing or that the bucket policy does not let it read.
     */
    Optional<byte[]> fetch(String rawPath);
  }

  private final HttpServer server;
  private final Origin origin;
  private final Clock clock;
  private final Map<String, PublicKey> keyGroup = new ConcurrentHashMap<>();
  private volatile boolean requireSigned = true;
  private volatile boolean servesHost = true;
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

  private CloudFrontEdgeEmulator(HttpServer server, Origin origin, Clock clock) {
    this.server = server;
    this.origin = origin;
    this.clock = clock;
  }

  /** Starts an emulator on a free loopback port. */
  public static CloudFrontEdgeEmulator start(Origin origin, Clock clock) {
    CloudFrontEdgeEmulator[] edge = new CloudFrontEdgeEmulator[1];
    HttpServer server = LoopbackHttp.start("CloudFront edge emulator", exchange -> edge[0].handle(exchange));
    edge[0] = new CloudFrontEdgeEmulator(server, origin, clock);
    return edge[0];
  }

  /** The distribution's base URL, {@code http://127.0.0.1:<port>}. */
  public URI baseUrl() {
    return LoopbackHttp.baseUri(server);
  }

  /** Adds a public key to the distribution's trusted key group. */
  public void trust(String keyPairId, PublicKey publicKey) {
    keyGroup.put(keyPairId, publicKey);
  }

  /** Removes a public key from the key group. */
  public void untrust(String keyPairId) {
    keyGroup.remove(keyPairId);
  }

  /** Whether unsigned requests are refused (the default), as a distribution restricting viewer access. */
  public void requireSignedUrls(boolean required) {
    this.requireSigned = required;
  }

  /**
   * Whether the distribution serves the host it is asked for (the default). {@code false}: every
   * request gets CloudFront's 403 "The request could not be satisfied" page, as for a domain that is no
   * alternate domain name of the distribution.
   */
  public void servesHost(boolean serves) {
    this.servesHost = serves;
  }

  /** How many requests it has answered. */
  public long requests() {
    return requests.get();
  }

  private record Answer(int status, byte[] body, String type, String contentRange) {
    Answer(int status, byte[] body, String type) {
      this(status, body, type, null);
    }

    static Answer error(String code, String message) {
      return new Answer(403, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
          + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8), "text/xml");
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      Answer a = servesHost ? answer(exchange.getRequestURI(), exchange.getRemoteAddress().getAddress(),
          exchange.getRequestHeaders().getFirst("Cookie")) : new Answer(403, ("<!DOCTYPE HTML PUBLIC>"
          + "<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1>"
          + "<H2>The request could not be satisfied.</H2>Bad request. We can't connect to the server for this app or"
          + " website at this time.</BODY></HTML>").getBytes(StandardCharsets.UTF_8), "text/html");
      if (a.status() == 200) {
        a = range(a, exchange.getRequestHeaders().getFirst("Range"));
      }
      exchange.getResponseHeaders().set("Content-Type", a.type());
      exchange.getResponseHeaders().set("Server", "CloudFront");
      exchange.getResponseHeaders().set("X-Amz-Cf-Id", java.util.UUID.randomUUID().toString());
      exchange.getResponseHeaders().set("X-Cache", a.status() < 400 ? "Miss from cloudfront" : "Error from cloudfront");
      if (a.contentRange() != null) {
        exchange.getResponseHeaders().set("Content-Range", a.contentRange());
      }
      exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
      exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
      exchange.getResponseBody().write(a.body());
    }
  }

  /** One {@code bytes=} range of a 200 answer: 206 with its slice, or 416; anything else: the whole. */
  private static Answer range(Answer whole, String header) {
    if (header == null) {
      return whole;
    }
    java.util.regex.Matcher m = Pattern.compile("bytes=(\\d*)-(\\d*)").matcher(header.trim());
    if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
      return whole; // several ranges or another unit: served whole, as a server may
    }
    long size = whole.body().length;
    long first;
    long last;
    if (m.group(1).isEmpty()) { // the last n bytes
      first = Math.max(0, size - Long.parseLong(m.group(2)));
      last = size - 1;
    } else {
      first = Long.parseLong(m.group(1));
      last = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
    }
    if (first >= size || first > last) {
      return new Answer(416, new byte[0], "text/xml", "bytes */" + size);
    }
    return new Answer(206, java.util.Arrays.copyOfRange(whole.body(), (int) first, (int) last + 1), whole.type(),
        "bytes " + first + "-" + last + "/" + size);
  }

  private Answer answer(URI request, InetAddress client, String cookies) {
    List<String[]> params = new ArrayList<>();
    String rawQuery = request.getRawQuery();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        params.add(eq < 0 ? new String[] {pair, ""} : new String[] {pair.substring(0, eq), pair.substring(eq + 1)});
      }
    }
    // signed cookies: the same values, named CloudFront-<name>, when the URL carries none
    if (cookies != null && params.stream().noneMatch(p -> OWN.contains(p[0]))) {
      for (String cookie : cookies.split(";")) {
        int eq = cookie.indexOf('=');
        String name = eq < 0 ? cookie.trim() : cookie.substring(0, eq).trim();
        if (eq > 0 && name.startsWith("CloudFront-") && OWN.contains(name.substring("CloudFront-".length()))) {
          params.add(new String[] {name.substring("CloudFront-".length()), cookie.substring(eq + 1).trim()});
        }
      }
    }
    StringBuilder resource = new StringBuilder(baseUrl().toString()).append(request.getRawPath());
    char sep = '?';
    for (String[] p : params) {
      if (!OWN.contains(p[0])) {
        resource.append(sep).append(p[0]).append('=').append(p[1]);
        sep = '&';
      }
    }
    String keyPairId = value(params, "Key-Pair-Id");
    String signature = value(params, "Signature");
    String expires = value(params, "Expires");
    String policy = value(params, "Policy");
    if (keyPairId == null && signature == null && expires == null && policy == null && !requireSigned) {
      return serve(request.getRawPath());
    }
    if (keyPairId == null) {
      return Answer.error("MissingKey", "Missing Key-Pair-Id query parameter or cookie value");
    }
    PublicKey key = keyGroup.get(keyPairId);
    if (key == null) {
      return Answer.error("InvalidKey", "Unknown Key");
    }
    String policyText;
    if (policy != null) {
      try {
        policyText = new String(fromUrlSafe(policy), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Answer.error("MalformedPolicy", "Malformed Policy");
      }
    } else if (expires != null && expires.matches("\\d{1,12}")) {
      policyText = "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":"
          + "{\"AWS:EpochTime\":" + expires + "}}}]}";
    } else {
      return Answer.error("MalformedPolicy", "Malformed Policy");
    }
    JsonNode statement;
    try {
      statement = JSON.readTree(policyText).get("Statement").get(0);
    } catch (IOException | RuntimeException e) {
      return Answer.error("MalformedPolicy", "Malformed Policy");
    }
    if (statement == null || !statement.path("Condition").path("DateLessThan").has("AWS:EpochTime")) {
      return Answer.error("MalformedPolicy", "Malformed Policy");
    }
    if (signature == null || !verifies(key, "SHA256".equals(value(params, "Hash-Algorithm")), policyText, signature)) {
      return Answer.error("AccessDenied", "Access denied");
    }
    long now = clock.instant().getEpochSecond();
    JsonNode condition = statement.get("Condition");
    if (now >= condition.get("DateLessThan").get("AWS:EpochTime").asLong()) {
      return Answer.error("AccessDenied", "Access denied");
    }
    JsonNode notBefore = condition.path("DateGreaterThan").path("AWS:EpochTime");
    if (!notBefore.isMissingNode() && now <= notBefore.asLong()) {
      return Answer.error("AccessDenied", "Access denied");
    }
    JsonNode ip = condition.path("IpAddress").path("AWS:SourceIp");
    if (!ip.isMissingNode() && !inRange(client, ip.asText())) {
      return Answer.error("AccessDenied", "Access denied");
    }
    String pattern = statement.path("Resource").asText();
    if (!Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"))
        .matcher(resource).matches()) {
      return Answer.error("AccessDenied", "Access denied");
    }
    return serve(request.getRawPath());
  }

  private Answer serve(String rawPath) {
    return origin.fetch(rawPath).map(b -> new Answer(200, b, "application/octet-stream"))
        .orElseGet(() -> new Answer(403, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
            + "<Message>Access Denied</Message><RequestId>" + Long.toHexString(System.nanoTime()).toUpperCase()
            + "</RequestId><HostId>emulated-origin</HostId></Error>").getBytes(StandardCharsets.UTF_8), "application/xml"));
  }

  private static boolean verifies(PublicKey key, boolean sha256, String policy, String signature) {
    String algorithm = (sha256 ? "SHA256with" : "SHA1with") + ("EC".equals(key.getAlgorithm()) ? "ECDSA" : "RSA");
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(key);
      verifier.update(policy.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(fromUrlSafe(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean inRange(InetAddress client, String cidr) {
    try {
      int slash = cidr.indexOf('/');
      byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      byte[] address = client.getAddress();
      int bits = Integer.parseInt(cidr.substring(slash + 1));
      if (network.length != address.length) {
        return false;
      }
      BigInteger mask = BigInteger.ONE.shiftLeft(network.length * 8).subtract(BigInteger.ONE)
          .shiftRight(bits).not();
      return new BigInteger(1, network).and(mask).equals(new BigInteger(1, address).and(mask));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static byte[] fromUrlSafe(String s) {
    return Base64.getDecoder().decode(s.replace('-', '+').replace('_', '=').replace('~', '/'));
  }

  private static String value(List<String[]> params, String name) {
    return params.stream().filter(p -> p[0].equals(name)).map(p -> p[1]).findFirst().orElse(null);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }
}
