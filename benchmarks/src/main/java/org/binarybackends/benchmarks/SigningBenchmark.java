package org.binarybackends.benchmarks;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.binarybackends.ObjectKey;
import org.binarybackends.Secret;
import org.binarybackends.cloudfront.CloudFrontKey;
import org.binarybackends.cloudfront.CloudFrontSigner;
import org.binarybackends.cloudfront.internal.SignedUrlCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;

/**
 * Signed CloudFront URLs per second on one thread, the library beside the SDK's own
 * {@code CloudFrontUtilities} with the same key and the same URL: RSA-2048 and ECDSA P-256 (canned
 * policy, SHA-1), and the fleet pattern — 10,000 devices asking for 20 binaries, their requests spread
 * evenly over one TTL (1 hour), served by the library's {@link SignedUrlCache} (expiries rounded down
 * to 15-minute steps, a quarter of the TTL) against the SDK signing every request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(2)
public class SigningBenchmark {
  private static final String HOST = "d111111abcdef8.cloudfront.net";
  private static final String KEY_PAIR_ID = "K2JCJMDEHXQW5F";
  private static final Duration TTL = Duration.ofHours(1);
  private static final int DEVICES = 10_000;
  private static final int BINARIES = 20;

  private final CloudFrontUtilities sdk = CloudFrontUtilities.create();
  private CloudFrontSigner rsa;
  private CloudFrontSigner ec;
  private java.security.PrivateKey rsaKey;
  private java.security.PrivateKey ecKey;
  private ObjectKey[] binaries;
  private String[] urls;
  private Instant expires;
  private long request;
  private Instant start;
  private Clock fleetClock;
  private SignedUrlCache cache;

  private static CloudFrontKey pem(java.security.PrivateKey key) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return CloudFrontKey.parse(Secret.of(pem), Optional.empty());
  }

  @Setup
  public void keys() throws Exception {
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048);
    KeyPair rsaPair = r.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ecPair = e.generateKeyPair();
    rsaKey = rsaPair.getPrivate();
    ecKey = ecPair.getPrivate();
    start = Instant.parse("2026-11-27T12:00:00Z");
    // the signers judge expiries on the benchmark's day: every URL it signs expires after start
    Clock day = Clock.fixed(start, java.time.ZoneOffset.UTC);
    rsa = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, pem(rsaKey), CloudFrontSigner.HashAlgorithm.SHA1).withClock(day);
    ec = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, pem(ecKey), CloudFrontSigner.HashAlgorithm.SHA1).withClock(day);
    binaries = new ObjectKey[BINARIES];
    urls = new String[BINARIES];
    for (int i = 0; i < BINARIES; i++) {
      binaries[i] = ObjectKey.of("firmware/sensor-v2." + i + ".bin");
      urls[i] = rsa.url("", binaries[i], Map.of());
    }
    expires = start.plus(TTL);
    // the fleet's clock: each request a little later, 10,000 requests per TTL
    fleetClock = new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneId.of("UTC");
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return start.plusMillis(request * TTL.toMillis() / DEVICES);
      }
    };
    cache = new SignedUrlCache(Duration.ofMinutes(15), 10_000, fleetClock);
  }

  private int next() {
    return (int) (request++ % BINARIES);
  }

  @Benchmark
  public Object rsaLibrary() {
    return rsa.signCanned("", binaries[next()], Map.of(), expires);
  }

  @Benchmark
  public Object rsaSdk() {
    String url = urls[next()];
    return sdk.getSignedUrlWithCannedPolicy(r -> r.resourceUrl(url).privateKey(rsaKey).keyPairId(KEY_PAIR_ID)
        .expirationDate(expires));
  }

  @Benchmark
  public Object ecLibrary() {
    return ec.signCanned("", binaries[next()], Map.of(), expires);
  }

  @Benchmark
  public Object ecSdk() {
    String url = urls[next()];
    return sdk.getSignedUrlWithCannedPolicy(r -> r.resourceUrl(url).privateKey(ecKey).keyPairId(KEY_PAIR_ID)
        .expirationDate(expires));
  }

  /** One device's request in the fleet: served from the cache while its URL lasts long enough. */
  @Benchmark
  public Object fleetLibrary() {
    return cache.canned(rsa, "", binaries[next()], Map.of(), TTL);
  }

  /** The same request, the SDK signing each one. */
  @Benchmark
  public Object fleetSdk() {
    int i = next();
    Instant now = fleetClock.instant();
    return sdk.getSignedUrlWithCannedPolicy(r -> r.resourceUrl(urls[i]).privateKey(rsaKey).keyPairId(KEY_PAIR_ID)
        .expirationDate(now.plus(TTL)));
  }
}
