package org.binarybackends.s3;

import java.net.URI;
import java.time.Clock;
import org.binarybackends.spi.Instrumentation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.OrganizationId;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The path from the platform's credentials to an organization's bucket: the platform's base
 * credentials assume the platform-side role {@code binary_backend_<org>_<role name>}, whose session
 * assumes the customer's role with {@code ExternalId} = the organization id, never omitted.
 *
 * <p>Both hops use the regional STS endpoint of the configured STS region (tokens of the global
 * endpoint do not work in opt-in regions) and readable session names. {@link #credentials()} caches
 * the customer-role credentials and refreshes them in the background ahead of expiry, so callers do
 * not wait; sessions last an hour, the cap under role chaining. {@link #probe()} assumes both hops
 * now and turns a refusal into a diagnosis naming the hop and its possible causes, with STS's own
 * message: the same 403 {@code AccessDenied} stands for an unapplied trust policy, a wrong
 * principal, a wrong external id and a missing role. Thread-safe; close it to stop its refreshes.
 */
final class RoleChain implements AutoCloseable {
  /** Role chaining caps every session at one hour. */
  static final Duration SESSION = Duration.ofHours(1);

  private final OrganizationId organization;
  private final PlatformRole platformRole;
  private final RoleArn customerRole;
  private final String platformRoleArn;
  private final Clock clock;
  private final SdkHttpClient httpClient;
  private final ClientOverrideConfiguration overrides;
  private final AwsRegion stsRegion;
  private final Optional<URI> stsEndpoint;
  private final StsClient platformSts;
  private final StsClient customerSts;
  private final SessionCache platformCredentials;
  private final SessionCache customerCredentials;
  private final Instrumentation meters;
  /** A session assumed on demand because the cached one would not last long enough. */
  private final AtomicReference<AwsSessionCredentials> extra = new AtomicReference<>();
  private final Object extraLock = new Object();
  private Instant extraAssumedAt; // guarded by extraLock

  /**
   * @param base the platform's own credentials
   * @param httpClient the HTTP client shared by every organization (not closed here)
   * @param stsEndpoint an endpoint override for tests and S3-compatible setups, else the regional one
   * @param clock decides when the cached sessions are refreshed (the STS's clock decides when they end)
   */
  RoleChain(OrganizationId organization, PlatformRole platformRole, RoleArn customerRole, AwsRegion stsRegion,
      AwsCredentialsProvider base, SdkHttpClient httpClient, Optional<URI> stsEndpoint, Clock clock) {
    this(organization, platformRole, customerRole, stsRegion, base, httpClient, stsEndpoint, clock,
        ClientOverrideConfiguration.builder().build(), Instrumentation.none());
  }

  /**
   * With the platform's SDK client configuration ({@link S3Platform#overrides()}) on every STS client,
   * its sessions measured in {@code meters}.
   */
  RoleChain(OrganizationId organization, PlatformRole platformRole, RoleArn customerRole, AwsRegion stsRegion,
      AwsCredentialsProvider base, SdkHttpClient httpClient, Optional<URI> stsEndpoint, Clock clock,
      ClientOverrideConfiguration overrides, Instrumentation meters) {
    this.meters = Objects.requireNonNull(meters, "meters");
    this.overrides = Objects.requireNonNull(overrides, "overrides");
    this.organization = Objects.requireNonNull(organization, "organization");
    this.platformRole = Objects.requireNonNull(platformRole, "platformRole");
    this.customerRole = Objects.requireNonNull(customerRole, "customerRole");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.platformRoleArn = platformRole.arn(customerRole.partition());
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    this.stsRegion = Objects.requireNonNull(stsRegion, "stsRegion");
    this.stsEndpoint = stsEndpoint;
    this.platformSts = sts(stsRegion, base, httpClient, stsEndpoint, overrides);
    this.platformCredentials = cache(platformSts, platformHop(), "platform");
    this.customerSts = sts(stsRegion, platformCredentials::get, httpClient, stsEndpoint, overrides);
    this.customerCredentials = cache(customerSts, customerHop(), "customer");
  }

  /** {@link #RoleChain(OrganizationId, PlatformRole, RoleArn, AwsRegion, AwsCredentialsProvider, SdkHttpClient, Optional, Clock)} on the system clock. */
  RoleChain(OrganizationId organization, PlatformRole platformRole, RoleArn customerRole, AwsRegion stsRegion,
      AwsCredentialsProvider base, SdkHttpClient httpClient, Optional<URI> stsEndpoint) {
    this(organization, platformRole, customerRole, stsRegion, base, httpClient, stsEndpoint, Clock.systemUTC());
  }

  /** The hop's session, assumed again ahead of its end on the library's clock: see {@link SessionCache}. */
  private SessionCache cache(StsClient sts, AssumeRoleRequest request, String hop) {
    return new SessionCache(() -> session(assume(sts, request, sts == platformSts)), clock,
        "RoleChain(" + organization.value() + ", " + hop + ")", SessionCache.REFRESH, meters, hop);
  }

  private static AwsSessionCredentials session(Credentials c) {
    return AwsSessionCredentials.builder().accessKeyId(c.accessKeyId()).secretAccessKey(c.secretAccessKey())
        .sessionToken(c.sessionToken()).expirationTime(c.expiration()).build();
  }

  private static StsClient sts(AwsRegion region, AwsCredentialsProvider credentials, SdkHttpClient http,
      Optional<URI> endpoint, ClientOverrideConfiguration overrides) {
    StsClientBuilder b = StsClient.builder().region(region.sdkRegion()).credentialsProvider(credentials).httpClient(http)
        .overrideConfiguration(overrides);
    endpoint.ifPresent(b::endpointOverride);
    return b.build();
  }

  private AssumeRoleRequest platformHop() {
    return AssumeRoleRequest.builder().roleArn(platformRoleArn).roleSessionName("bb-platform-" + organization.value())
        .durationSeconds((int) SESSION.getSeconds()).build();
  }

  private AssumeRoleRequest customerHop() {
    return AssumeRoleRequest.builder().roleArn(customerRole.toString())
        .roleSessionName("bb-" + organization.value()).externalId(organization.value())
        .durationSeconds((int) SESSION.getSeconds()).build();
  }

  /** The customer-role credentials, cached and refreshed ahead of expiry. */
  public AwsCredentialsProvider credentials() {
    return this::current;
  }

  private AwsSessionCredentials current() {
    AwsSessionCredentials cached = customerCredentials.get();
    AwsSessionCredentials more = extra.get();
    return more != null && endOf(more).isAfter(endOf(cached)) ? more : cached;
  }

  private static Instant endOf(AwsSessionCredentials c) {
    return c.expirationTime().orElse(Instant.MAX);
  }

  /**
   * Customer-role credentials that last at least {@code life} if STS allows it: the cached session
   * when it does, else a session assumed now (at most one a minute, so a fleet asking for long URLs
   * does not turn into one AssumeRole each). The result may still end sooner (role chaining caps a
   * session at an hour, the role's own maximum may be lower): its expiration is the truth.
   */
  public AwsSessionCredentials credentialsLasting(Duration life) {
    AwsSessionCredentials best = current();
    Instant wanted = clock.instant().plus(life);
    if (!endOf(best).isBefore(wanted)) {
      return best;
    }
    synchronized (extraLock) {
      best = current();
      boolean recent = extraAssumedAt != null && extraAssumedAt.isAfter(clock.instant().minus(Duration.ofMinutes(1)));
      if (endOf(best).isBefore(wanted) && !recent) {
        AwsSessionCredentials fresh = session(assume(customerSts, customerHop(), false));
        extraAssumedAt = clock.instant();
        extra.set(fresh);
        best = current();
      }
      return best;
    }
  }

  /** The platform-side role's ARN, in the partition of the customer's role. */
  public String platformRoleArn() {
    return platformRoleArn;
  }

  /**
   * Assumes both hops now, bypassing every cache.
   *
   * @return the customer-role session credentials, with their expiration
   * @throws AccessDeniedException naming the hop refused and its possible causes
   * @throws BackendUnavailableException if STS cannot be reached or fails (retryable)
   */
  public Credentials probe() {
    Credentials platform = assume(platformSts, platformHop(), true);
    AwsSessionCredentials session = AwsSessionCredentials.create(platform.accessKeyId(), platform.secretAccessKey(),
        platform.sessionToken());
    // on the platform's HTTP client, like every other request: its proxy, trust store and timeouts
    try (StsClient asPlatform = sts(stsRegion, StaticCredentialsProvider.create(session), httpClient, stsEndpoint,
        overrides)) {
      return assume(asPlatform, customerHop(), false);
    }
  }

  private Credentials assume(StsClient sts, AssumeRoleRequest request, boolean platformHop) {
    try {
      return sts.assumeRole(request).credentials();
    } catch (StsException e) {
      throw diagnose(e, request, platformHop);
    } catch (SdkClientException e) {
      throw new BackendUnavailableException("STS could not be reached to assume " + request.roleArn() + ": "
          + e.getMessage(), true, e);
    }
  }

  /** Turns STS's refusal into what a person must check, by hop. */
  BinaryBackendException diagnose(StsException e, AssumeRoleRequest request, boolean platformHop) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    if (e.statusCode() >= 500 || "Throttling".equals(code) || "ThrottlingException".equals(code)) {
      return new BackendUnavailableException("STS " + code + " assuming " + request.roleArn() + ": " + message, true, e);
    }
    if (platformHop) {
      return new AccessDeniedException("sts:AssumeRole of the platform-side role " + request.roleArn()
          + " (STS " + code + ")", List.of(
              "the platform-side role " + platformRole.name() + " does not exist in account " + platformRole.accountId()
                  + ": it must be created before the customer saves a trust policy naming it",
              "its trust policy does not trust the platform's own credentials",
              "the platform's own credentials are invalid or expired",
              "this is on the platform's side, not the customer's"), message, e);
    }
    return new AccessDeniedException("sts:AssumeRole of " + request.roleArn() + " with external id "
        + organization.value() + " (STS " + code + ")", List.of(
            "the trust policy of " + customerRole.name() + " is not applied yet",
            "the trust policy's principal is not " + platformRoleArn + " (or that role was deleted and recreated,"
                + " which breaks the trust: IAM keeps the old role's unique id)",
            "the trust policy's sts:ExternalId condition is not " + organization.value(),
            "the role " + customerRole + " does not exist, or its ARN has a typo"), message, e);
  }

  @Override
  public void close() {
    customerCredentials.close();
    platformCredentials.close();
    customerSts.close();
    platformSts.close();
  }

  @Override
  public String toString() {
    return "RoleChain{" + organization + ": " + platformRoleArn + " -> " + customerRole + "}";
  }
}
