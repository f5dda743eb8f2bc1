package org.binarybackends.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local STS endpoint speaking the {@code AssumeRole} query protocol (version 2011-06-15) to the
 * real AWS SDK client, for tests of the role chain: platform credentials, then the platform-side
 * role, then the customer's role with its external id.
 *
 * <p>It knows base identities ({@link #addBaseIdentity}) and roles ({@link #defineRole}), each with
 * a trust policy that names one principal and, optionally, the {@code sts:ExternalId} it requires.
 * A trust policy can be switched between "not applied yet" and "applied" while a test runs, as a
 * customer applies it by hand. It answers as AWS does: one 403 {@code AccessDenied} for a missing or
 * mismatched trust policy, a wrong external id or a role that does not exist; 400
 * {@code ValidationError} for a chained session asking more than 3,600 seconds or a malformed
 * session name; an unknown, or expired, access key is refused ({@code InvalidClientTokenId},
 * {@code ExpiredToken}). Credentials it issues really expire, by its clock, and may be given a
 * shorter life than asked ({@link #capLifetime}) to test refreshing.
 *
 * <p>What it does not do: check request signatures (the caller's access key and session token are
 * checked), evaluate conditions other than {@code sts:ExternalId}, or permission policies of the
 * caller. Start it with {@link #start()}; it is also a JUnit 5 extension that stops it after all
 * tests ({@code @RegisterExtension static LocalSts sts = LocalSts.start();}). Thread-safe.
 */
public final class LocalSts implements AutoCloseable, AfterAllCallback {
  private static final String NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
  private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:([a-z-]+):iam::(\\d{12}):role/(?:.*/)?([\\w+=,.@-]+)");

  private final HttpServer server;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Identity> identities = new ConcurrentHashMap<>();
  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  private volatile Duration lifetimeCap;

  /** Who holds an access key: a base identity, or a session of an assumed role. */
  public record Identity(String accessKeyId, String secretAccessKey, Optional<String> sessionToken,
      String principalArn, Optional<String> assumedRoleArn, Optional<String> externalId, Optional<Instant> expiration) {
    /** Whether it is a session made by assuming a role (so assuming another is role chaining). */
    public boolean isSession() {
      return sessionToken.isPresent();
    }
  }

  private static final class Role {
    final String arn;
    final String trustedPrincipal;
    final String requiredExternalId;
    final Duration maxSession;
    volatile boolean trustApplied;

    Role(String arn, String trustedPrincipal, String requiredExternalId, Duration maxSession, boolean applied) {
      this.arn = arn;
      this.trustedPrincipal = trustedPrincipal;
      this.requiredExternalId = requiredExternalId;
      this.maxSession = maxSession;
      this.trustApplied = applied;
    }
  }

  private LocalSts(HttpServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  /** Starts an endpoint on a free loopback port, on the system clock. */
  public static LocalSts start() {
    return start(Clock.systemUTC());
  }

  /** Starts an endpoint on a free loopback port; credentials expire by {@code clock}. */
  public static LocalSts start(Clock clock) {
    LocalSts[] sts = new LocalSts[1];
    HttpServer server = LoopbackHttp.start("local STS endpoint", exchange -> sts[0].handle(exchange));
    sts[0] = new LocalSts(server, clock);
    return sts[0];
  }

  /** The clock by which its credentials expire. */
  public Clock clock() {
    return clock;
  }

  /** The endpoint to give the SDK's STS client ({@code endpointOverride}). */
  public URI endpoint() {
    return LoopbackHttp.baseUri(server);
  }

  /**
   * Adds long-lived credentials of {@code principalArn} (the platform's own identity).
   *
   * @return the identity, with its generated access key and secret
   */
  public Identity addBaseIdentity(String principalArn) {
    Identity id = new Identity("AKIA" + token(16).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "X"), token(40),
        Optional.empty(), principalArn, Optional.empty(), Optional.empty(), Optional.empty());
    identities.put(id.accessKeyId(), id);
    return id;
  }

  /**
   * Defines role {@code roleArn}, which trusts {@code trustedPrincipalArn} (with
   * {@code requiredExternalId}, if not null) once its trust policy is applied.
   *
   * @param trustApplied whether the trust policy is in force from the start
   */
  public void defineRole(String roleArn, String trustedPrincipalArn, String requiredExternalId, boolean trustApplied) {
    roles.put(roleArn, new Role(roleArn, trustedPrincipalArn, requiredExternalId, Duration.ofHours(1), trustApplied));
  }

  /** Applies (or withdraws) the trust policy of {@code roleArn}, as its owner would in IAM. */
  public void applyTrust(String roleArn, boolean applied) {
    Objects.requireNonNull(roles.get(roleArn), "no role " + roleArn).trustApplied = applied;
  }

  /** Deletes a role: assuming it is then denied, as for a typo in its ARN. */
  public void deleteRole(String roleArn) {
    roles.remove(roleArn);
  }

  /** Issued credentials live at most this long, whatever was asked (null: as asked). */
  public void capLifetime(Duration cap) {
    this.lifetimeCap = cap;
  }

  /** The identity holding {@code accessKeyId}, base or issued, expired or not. */
  public Optional<Identity> identity(String accessKeyId) {
    return Optional.ofNullable(identities.get(accessKeyId));
  }

  /** Whether {@code accessKeyId} is known and, for a session, not expired by this endpoint's clock. */
  public boolean valid(String accessKeyId) {
    Identity id = identities.get(accessKeyId);
    return id != null && id.expiration().map(e -> clock.instant().isBefore(e)).orElse(true);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> form = new HashMap<>();
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      Answer answer = answer(exchange.getRequestHeaders().getFirst("Authorization"),
          exchange.getRequestHeaders().getFirst("X-Amz-Security-Token"), form);
      byte[] xml = answer.xml().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml");
      exchange.getResponseHeaders().set("x-amzn-RequestId", answer.requestId());
      exchange.sendResponseHeaders(answer.status(), xml.length);
      exchange.getResponseBody().write(xml);
    }
  }

  private record Answer(int status, String xml, String requestId) {}

  private Answer answer(String authorization, String sessionToken, Map<String, String> form) {
    String requestId = UUID.randomUUID().toString();
    if (!"AssumeRole".equals(form.get("Action"))) {
      return error(400, "InvalidAction", "Could not find operation " + form.get("Action") + " for version "
          + form.get("Version"), requestId);
    }
    Matcher cred = CREDENTIAL.matcher(authorization == null ? "" : authorization);
    Identity caller = cred.find() ? identities.get(cred.group(1)) : null;
    if (caller == null || caller.sessionToken().isPresent() && !caller.sessionToken().get().equals(sessionToken)) {
      return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.", requestId);
    }
    if (caller.expiration().isPresent() && !clock.instant().isBefore(caller.expiration().get())) {
      return error(403, "ExpiredToken", "The security token included in the request is expired", requestId);
    }
    String roleArn = form.get("RoleArn");
    String sessionName = form.get("RoleSessionName");
    if (sessionName == null || !SESSION_NAME.matcher(sessionName).matches()) {
      return error(400, "ValidationError", "1 validation error detected: Value '" + sessionName + "' at"
          + " 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern:"
          + " [\\w+=,.@-]*", requestId);
    }
    String externalId = form.get("ExternalId");
    if (externalId != null && !EXTERNAL_ID.matcher(externalId).matches()) {
      return error(400, "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy"
          + " constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*", requestId);
    }
    long seconds = form.containsKey("DurationSeconds") ? Long.parseLong(form.get("DurationSeconds")) : 3600;
    if (caller.isSession() && seconds > 3600) {
      return error(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles"
          + " assumed by role chaining.", requestId);
    }
    if (seconds < 900 || seconds > 43200) {
      return error(400, "ValidationError", "1 validation error detected: Value '" + seconds + "' at 'durationSeconds'"
          + " failed to satisfy constraint: Member must have value between 900 and 43200", requestId);
    }
    Role role = roleArn == null ? null : roles.get(roleArn);
    boolean trusted = role != null && role.trustApplied && role.trustedPrincipal.equals(caller.principalArn())
        && (role.requiredExternalId == null || role.requiredExternalId.equals(externalId));
    if (!trusted) {
      // AWS answers a missing role, an unapplied or mismatched trust policy and a wrong external id alike
      return error(403, "AccessDenied", "User: " + callerArn(caller) + " is not authorized to perform: sts:AssumeRole"
          + " on resource: " + roleArn, requestId);
    }
    if (seconds > role.maxSession.getSeconds()) {
      return error(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for"
          + " this role.", requestId);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Duration life = Duration.ofSeconds(seconds);
    Duration cap = lifetimeCap;
    if (cap != null && cap.compareTo(life) < 0) {
      life = cap;
    }
    Matcher arn = ROLE_ARN.matcher(roleArn);
    String assumedArn = arn.matches() ? "arn:" + arn.group(1) + ":sts::" + arn.group(2) + ":assumed-role/" + arn.group(3)
        + "/" + sessionName : roleArn + "/" + sessionName;
    Identity issued = new Identity("ASIA" + token(16).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "X"), token(40),
        Optional.of(token(64)), roleArn, Optional.of(assumedArn), Optional.ofNullable(externalId),
        Optional.of(now.plus(life)));
    identities.put(issued.accessKeyId(), issued);
    String xml = "<AssumeRoleResponse xmlns=\"" + NS + "\"><AssumeRoleResult><Credentials>"
        + "<AccessKeyId>" + issued.accessKeyId() + "</AccessKeyId>"
        + "<SecretAccessKey>" + issued.secretAccessKey() + "</SecretAccessKey>"
        + "<SessionToken>" + issued.sessionToken().get() + "</SessionToken>"
        + "<Expiration>" + issued.expiration().get() + "</Expiration></Credentials>"
        + "<AssumedRoleUser><AssumedRoleId>AROA" + Math.abs(roleArn.hashCode()) + ":" + sessionName + "</AssumedRoleId>"
        + "<Arn>" + escape(assumedArn) + "</Arn></AssumedRoleUser></AssumeRoleResult>"
        + "<ResponseMetadata><RequestId>" + requestId + "</RequestId></ResponseMetadata></AssumeRoleResponse>";
    return new Answer(200, xml, requestId);
  }

  private static String callerArn(Identity caller) {
    return caller.assumedRoleArn().orElse(caller.principalArn());
  }

  private static Answer error(int status, String code, String message, String requestId) {
    return new Answer(status, "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code
        + "</Code><Message>" + escape(message) + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>",
        requestId);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private String token(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, length);
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
