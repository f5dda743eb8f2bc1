package org.binarybackends.s3;

import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * What every organization's S3 storage shares, given once by the embedding service through the
 * {@link org.binarybackends.spi.BackendContext} ({@code .service(S3Platform.class, platform)}): the
 * platform's account and own identity, its base credentials, the region of the STS endpoint, and one
 * HTTP client (one connection pool) for all organizations. No organization's assumed credentials are
 * kept here. {@link #toString()} shows no credential.
 *
 * @param accountId the platform's 12-digit AWS account, which holds the platform-side roles
 * @param principalArn the platform's own identity, trusted by every platform-side role
 * @param baseCredentials the platform's own credentials
 * @param stsRegion the region whose STS endpoint assumes roles (regional, never the global one)
 * @param httpClient shared by every organization; closed by the embedding service, not here
 * @param overrides the SDK's client configuration for every S3 and STS client the library builds:
 *     API call (attempt) timeouts, the retry strategy, execution interceptors, headers. The HTTP
 *     client's own settings (connection and socket timeouts: the socket timeout is how long a read
 *     may see no byte) are the other half. Per-part call timeouts scale badly (parts grow with the
 *     binary): prefer the stall timeout to bound a stalled transfer.
 * @param stallTimeout how long a request with a body (a part, a put) may go without the storage
 *     accepting one byte of it, or, once it is sent, without an answer, before its connection is
 *     aborted (and the request retried by the SDK's retry strategy, the put aborted if every try
 *     stalls). A socket timeout bounds reads only: a write blocked on a server that stopped reading
 *     waits with no end. A steady slow upload is never cut: only one that stops. {@link
 *     #DEFAULT_STALL_TIMEOUT} unless set; 100 ms to 1 hour, and well above the time to first byte of
 *     a healthy answer.
 */
public record S3Platform(String accountId, String principalArn, AwsCredentialsProvider baseCredentials,
    AwsRegion stsRegion, SdkHttpClient httpClient, ClientOverrideConfiguration overrides, Duration stallTimeout) {
  /** The stall timeout unless configured otherwise: a minute without a byte moving. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  /** A platform with the SDK's default client configuration and the default stall timeout. */
  public S3Platform(String accountId, String principalArn, AwsCredentialsProvider baseCredentials, AwsRegion stsRegion,
      SdkHttpClient httpClient) {
    this(accountId, principalArn, baseCredentials, stsRegion, httpClient, ClientOverrideConfiguration.builder().build());
  }

  /** A platform with the default stall timeout. */
  public S3Platform(String accountId, String principalArn, AwsCredentialsProvider baseCredentials, AwsRegion stsRegion,
      SdkHttpClient httpClient, ClientOverrideConfiguration overrides) {
    this(accountId, principalArn, baseCredentials, stsRegion, httpClient, overrides, DEFAULT_STALL_TIMEOUT);
  }

  public S3Platform {
    if (accountId == null || !accountId.matches("\\d{12}")) {
      throw org.binarybackends.InvalidInputException.of("platform.accountId", accountId, "a 12-digit AWS account id");
    }
    Objects.requireNonNull(principalArn, "principalArn");
    Objects.requireNonNull(baseCredentials, "baseCredentials");
    Objects.requireNonNull(stsRegion, "stsRegion");
    Objects.requireNonNull(httpClient, "httpClient");
    Objects.requireNonNull(overrides, "overrides");
    if (stallTimeout == null || stallTimeout.compareTo(Duration.ofMillis(100)) < 0
        || stallTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw org.binarybackends.InvalidInputException.of("platform.stallTimeout", String.valueOf(stallTimeout),
          "100 milliseconds to 1 hour");
    }
  }

  /** This platform with another HTTP client (a proxy's, say). */
  public S3Platform withHttpClient(SdkHttpClient client) {
    return new S3Platform(accountId, principalArn, baseCredentials, stsRegion, client, overrides, stallTimeout);
  }

  /** This platform with another SDK client configuration. */
  public S3Platform withOverrides(ClientOverrideConfiguration configuration) {
    return new S3Platform(accountId, principalArn, baseCredentials, stsRegion, httpClient, configuration, stallTimeout);
  }

  /** This platform with another stall timeout. */
  public S3Platform withStallTimeout(Duration timeout) {
    return new S3Platform(accountId, principalArn, baseCredentials, stsRegion, httpClient, overrides, timeout);
  }

  /** The platform's HTTP client with the {@linkplain #stallTimeout() stall timeout} on every request it sends. */
  SdkHttpClient guardedHttpClient() {
    return new StallGuard(httpClient, stallTimeout);
  }

  /**
   * The platform a backend of {@code context} reaches buckets with.
   *
   * @throws org.binarybackends.InvalidConfigurationException if the embedding service gave none
   */
  public static S3Platform of(org.binarybackends.spi.BackendContext context) {
    return context.service(S3Platform.class).orElseThrow(() -> new org.binarybackends.InvalidConfigurationException(
        java.util.List.of(org.binarybackends.Violation.missing("platform", "the platform-wide S3Platform (account,"
            + " principal, base credentials, STS region, HTTP client), given with"
            + " BackendContext.builder().service(S3Platform.class, ...)"))));
  }

  @Override
  public String toString() {
    return "S3Platform{account=" + accountId + ", principal=" + principalArn + ", stsRegion=" + stsRegion
        + ", stallTimeout=" + stallTimeout + ", credentials=***}";
  }
}
