package org.binarybackends.cloudfront;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.SignedUrl;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.VerificationReport;
import org.binarybackends.cloudfront.CloudFrontSettings.KeyPair;
import org.binarybackends.s3.internal.S3Origin;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * {@code verify()} of a CloudFront backend, end to end through the distribution:
 *
 * <ol>
 *   <li>{@code origin-put-probe}: a probe object through the S3 backend, a new key per run (so no edge
 *       cache can answer for it), under the library's reserved prefix;
 *   <li>{@code key <id>} for every configured key pair: the probe fetched with a URL that key signed.
 *       A pass marks the key trusted (shared by every instance), CloudFront's {@code Unknown Key}
 *       unmarks it; then the newest trusted key signs;
 *   <li>{@code signed-get}: what the signing key's fetch gave: 200 and the probe's bytes, or the
 *       cause, told apart by CloudFront's error documents;
 *   <li>{@code unsigned-get}: the probe without a signature must be refused: a 200 means the
 *       distribution does not restrict viewer access;
 *   <li>{@code origin-delete-probe}.
 * </ol>
 */
final class CloudFrontProbe {
  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Duration PROBE_TTL = Duration.ofMinutes(5);
  /** More clock difference than this is named as the likely cause of a refused signature. */
  private static final Duration SKEW = Duration.ofSeconds(30);

  private final CloudFrontBackend backend;
  private final S3Origin origin;
  private final List<Check> checks = new ArrayList<>();

  CloudFrontProbe(CloudFrontBackend backend, S3Origin origin) {
    this.backend = backend;
    this.origin = origin;
  }

  VerificationReport run() {
    String key;
    byte[] content = ("binary-backends CloudFront probe " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    try {
      key = origin.putProbe(content);
      checks.add(Check.passed("origin-put-probe", "wrote s3://" + backend.front.bucket + "/"
          + key));
    } catch (BinaryBackendException e) {
      checks.add(Check.failed("origin-put-probe", "cannot write the probe to the bucket, so the distribution cannot"
          + " be tried: " + e.getMessage(), retryable(e)));
      for (String name : List.of("signed-get", "unsigned-get")) {
        checks.add(Check.skipped(name, "needs the probe object"));
      }
      return report();
    }
    try {
      probeKeys(key, content);
      unsigned(key);
    } finally {
      try {
        origin.deleteProbe(key);
        checks.add(Check.passed("origin-delete-probe", "deleted the probe"));
      } catch (BinaryBackendException e) {
        checks.add(Check.failed("origin-delete-probe", e.getMessage(), retryable(e)));
      }
    }
    return report();
  }

  private void probeKeys(String key, byte[] content) {
    Map<String, Answer> answers = new LinkedHashMap<>();
    for (KeyPair k : backend.rotation.keys()) {
      CloudFrontSigner signer = backend.rotation.signer(k.keyPairId());
      SignedUrl url = signer.signCanned(backend.pathPrefix(), backend.urlKey(key), Map.of(),
          Instant.ofEpochSecond(backend.clock.instant().plus(PROBE_TTL).getEpochSecond()));
      Answer a = fetch(url.uri());
      answers.put(k.keyPairId(), a);
      try {
        if (a.served(content)) {
          backend.rotation.trusted(k.keyPairId(), true);
        } else if (a.edgeError("InvalidKey") || a.edgeError("AccessDenied")) { // unknown, or not its private key
          backend.rotation.trusted(k.keyPairId(), false);
        }
      } catch (RuntimeException e) {
        checks.add(Check.warning("key-notes", "cannot record the probe of key pair " + k.keyPairId() + " in the"
            + " organization's shared notes: " + e));
      }
    }
    Map<String, String> read = null;
    try {
      read = backend.rotation.refresh();
    } catch (RuntimeException e) {
      checks.add(Check.warning("key-notes", "cannot read the organization's shared notes: " + e));
    }
    String signing = backend.rotation.current().keyPairId();
    Answer mine = answers.get(signing);
    if (mine.served(content)) {
      checks.add(Check.passed("signed-get", "fetched the probe through " + backend.distribution.baseUrl() + " with a URL"
          + " signed by key pair " + signing + " (" + backend.distribution.hashAlgorithm + "): HTTP 200, same bytes"));
    } else {
      checks.add(Check.failed("signed-get", diagnose(mine, signing, content), mine.retryable()));
    }
    Instant now = backend.clock.instant();
    List<String> ids = List.copyOf(answers.keySet()); // oldest first
    for (String id : ids) {
      if (id.equals(signing)) {
        continue;
      }
      Answer a = answers.get(id);
      boolean newer = ids.indexOf(id) > ids.indexOf(signing);
      if (newer) {
        checks.add(Check.warning("key " + id, "not trusted at the edge yet, so " + signing + " keeps signing: "
            + diagnose(a, id, content)));
        continue;
      }
      if (read == null) {
        checks.add(Check.warning("key " + id, "replaced by " + signing + "; whether it may be removed is unknown"
            + " while the shared notes cannot be read: keep it in the key group"));
        continue;
      }
      Optional<Instant> latest = backend.rotation.latestExpiry(id, read);
      if (latest.isEmpty() || !latest.get().isAfter(now)) {
        checks.add(Check.passed("key " + id, "replaced by " + signing + "; removable now: remove it from the settings"
            + " and its public key from the key group" + latest.map(t -> " (the last URL it signed expired at " + t
                + ")").orElse(" (it signed no URL that is recorded)")));
      } else if (a.served(content)) {
        checks.add(Check.passed("key " + id, "replaced by " + signing + "; keep it in the key group until " + latest.get()
            + ", when the last URL it signed expires"));
      } else {
        checks.add(Check.warning("key " + id, "replaced by " + signing + ", but URLs it signed, valid until "
            + latest.get() + ", fail now: " + diagnose(a, id, content) + ". Keep its public key in the key group until"
            + " then"));
      }
    }
  }

  private void unsigned(String key) {
    URI url = URI.create(backend.rotation.current().url(backend.pathPrefix(), backend.urlKey(key), Map.of()));
    Answer a = fetch(url);
    if (a.status == 200) {
      checks.add(Check.failed("unsigned-get", "the distribution served the probe without a signature: it does not"
          + " restrict viewer access, so anyone can download every binary. In the distribution's cache behavior set"
          + " 'Restrict viewer access' to Yes with the trusted key group holding " + backend.distribution.keyPairIds(),
          false));
    } else if (a.status == 403 && a.cloudFront()) { // MissingKey, or any refusal: not served
      checks.add(Check.passed("unsigned-get", "an unsigned request is refused (HTTP " + a.status
          + a.code().map(c -> " " + c).orElse("") + ")"));
    } else {
      checks.add(Check.failed("unsigned-get", "an unsigned request got " + a.describe() + ", not CloudFront's 403",
          a.retryable()));
    }
  }

  /** A person's explanation of why {@code a} is not the probe served, by CloudFront's error documents. */
  private String diagnose(Answer a, String keyPairId, byte[] content) {
    String host = backend.distribution.baseUrl().toString();
    if (a.failure != null) {
      return "cannot reach " + host + ": " + a.failure;
    }
    if (!a.cloudFront()) {
      return host + " answered " + a.describe() + " without CloudFront's X-Amz-Cf-Id header: the host is not this"
          + " distribution's domain (or its DNS points elsewhere)";
    }
    if (a.status == 200) {
      return "the distribution served other bytes than the probe (" + a.body.length + " bytes): its origin is not"
          + " bucket " + backend.front.bucket + " with prefix '" + backend.front.prefix
          + "' and origin path '" + backend.distribution.originPath + "'";
    }
    if (a.status == 404) {
      return "the distribution's origin has no object at the probe's path (404): the origin is another bucket, or the"
          + " distribution's origin path is not '" + backend.distribution.originPath + "'";
    }
    if (a.status == 403 && a.text().contains("The request could not be satisfied")) {
      return "CloudFront does not serve " + backend.distribution.host + " from this distribution (403 'The request"
          + " could not be satisfied'): add it as an alternate domain name with its certificate, or use the"
          + " distribution's own domain";
    }
    if (a.edgeError("MissingKey")) {
      return "CloudFront received no Key-Pair-Id (MissingKey): something between strips the query string";
    }
    if (a.edgeError("InvalidKey")) {
      return "key pair id " + keyPairId + " is not in the distribution's trusted key group (CloudFront: InvalidKey,"
          + " Unknown Key): add its public key to the key group of the cache behavior";
    }
    if (a.edgeError("MalformedPolicy")) {
      return "CloudFront found the signed policy malformed (MalformedPolicy): the URL was changed on the way";
    }
    if (a.status == 403 && a.code().filter("AccessDenied"::equals).isPresent() && a.fromOrigin()) {
      return "CloudFront forwarded the request and the bucket refused it (403 AccessDenied from S3; behind Origin"
          + " Access Control a missing object is 403 too): the bucket policy does not let the distribution read "
          + backend.front.bucket + "/" + backend.front.prefix + "* (add the"
          + " statement OnboardingPolicies.cloudFrontReadAccess(distributionArn) generates), or the distribution's"
          + " origin is another bucket or its origin path is not '" + backend.distribution.originPath + "'";
    }
    if (a.edgeError("AccessDenied")) {
      String skew = a.date().map(d -> Duration.between(backend.clock.instant(), d))
          .filter(d -> d.abs().compareTo(SKEW) > 0)
          .map(d -> "; the edge's clock is " + Math.abs(d.getSeconds()) + " s " + (d.isNegative() ? "behind" : "ahead of")
              + " this service's: fix the clock (NTP), a URL is judged by the edge's").orElse("");
      return "CloudFront refused the signature of key pair " + keyPairId + " (AccessDenied): the private key is not"
          + " the one whose public key has this id, or the URL is expired or not yet valid at the edge" + skew;
    }
    return "the distribution answered " + a.describe() + (a.retryable() ? " (temporary)" : "");
  }

  /** One GET on the platform's HTTP client, like every other request: its proxy, trust store and timeouts. */
  private Answer fetch(URI url) {
    try {
      HttpExecuteResponse r = backend.http.prepareRequest(HttpExecuteRequest.builder()
          .request(SdkHttpRequest.builder().uri(url).method(SdkHttpMethod.GET).build()).build()).call();
      byte[] body;
      try (InputStream in = r.responseBody().map(InputStream.class::cast).orElse(InputStream.nullInputStream())) {
        body = in.readNBytes(64 << 10); // a probe or an error document: small
      }
      SdkHttpResponse h = r.httpResponse();
      return new Answer(h.statusCode(), body, h.firstMatchingHeader("x-amz-cf-id").isPresent()
          || h.firstMatchingHeader("server").filter(s -> s.equalsIgnoreCase("CloudFront")).isPresent(),
          h.firstMatchingHeader("date"), null);
    } catch (IOException e) {
      return new Answer(0, new byte[0], false, Optional.empty(), e.toString());
    }
  }

  /** What the distribution answered a probe request. */
  private record Answer(int status, byte[] body, boolean cloudFront, Optional<String> dateHeader, String failure) {
    boolean served(byte[] content) {
      return status == 200 && Arrays.equals(body, content);
    }

    String text() {
      return new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    }

    Optional<String> code() {
      Matcher m = CODE.matcher(text());
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** S3's error documents carry a RequestId and a HostId; CloudFront's own carry neither. */
    boolean fromOrigin() {
      return text().contains("<RequestId>") || text().contains("<HostId>");
    }

    boolean edgeError(String code) {
      return status == 403 && cloudFront && !fromOrigin() && code().filter(code::equals).isPresent();
    }

    Optional<Instant> date() {
      try {
        return dateHeader.map(d -> ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }

    boolean retryable() {
      return failure != null || status >= 500 || status == 429;
    }

    String describe() {
      return failure != null ? failure : "HTTP " + status + code().map(c -> " " + c).orElse("");
    }
  }

  private static boolean retryable(BinaryBackendException e) {
    return e instanceof BackendUnavailableException && ((BackendUnavailableException) e).retryable();
  }

  private VerificationReport report() {
    return new VerificationReport(backend.instanceId(), backend.clock.instant(), checks);
  }
}
