package org.binarybackends.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.StateKey;
import org.binarybackends.postgres.PostgresStateStore;
import org.binarybackends.postgres.SchemaMode;
import org.binarybackends.s3.AwsRegion;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.spi.BackendContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;

/**
 * The platform's side, from the config file ({@code --config}, else {@code $BINARY_BACKENDS_CONFIG}):
 *
 * <pre>{@code
 * {"platform": {"accountId": "210987654321", "principalArn": "arn:aws:iam::210987654321:role/platform-service",
 *               "region": "eu-west-1", "credentials": "default"},
 *  "stateStore": {"type": "file", "directory": "/var/lib/binary-backends/state",
 *                 "keys": [{"id": "2026-11", "secret": "env:BB_STATE_KEY"}]},
 *  "defaultStorage": {"type": "default", ...},
 *  "allowedTypes": ["s3", "cloudfront"]}
 * }</pre>
 *
 * {@code allowEndpointOverrides} (false unless set) lets organizations' settings name endpoints: for
 * S3-compatible stores and tests only.
 *
 * {@code credentials}: {@code "default"} (the SDK's default chain: environment, profile, instance
 * profile, IRSA) or {@code {"accessKeyId": "env:…", "secretAccessKey": "env:…"}}. A PostgreSQL store:
 * {@code {"type": "postgres", "url": "jdbc:postgresql://…", "user": "…", "password": "env:PGPASSWORD",
 * "schema": "binary_backends", "schemaMode": "VALIDATE"}} (the CLI never migrates unless told
 * {@code MIGRATE}). Every secret is {@code env:NAME} or {@code file:PATH}. Sections a command does not
 * need may be left out. Not thread-safe; one per command run.
 */
final class PlatformConfig implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode root;
  private final Map<String, String> env;
  private final String source;
  /** {@code --state-key ID=REF}, replacing the config's keys, or null. */
  private final String stateKey;
  private SdkHttpClient http;

  private PlatformConfig(JsonNode root, Map<String, String> env, String source, String stateKey) {
    this.root = root;
    this.env = env;
    this.source = source;
    this.stateKey = stateKey;
  }

  /**
   * The config at {@code path}, else at {@code $BINARY_BACKENDS_CONFIG}, else an empty one; {@code
   * stateKey} ({@code ID=env:NAME} or {@code ID=file:PATH}, or null) replaces its state keys.
   */
  static PlatformConfig load(Path path, Map<String, String> env, String stateKey) {
    if (stateKey != null && (stateKey.indexOf('=') < 1)) {
      throw new ExitCode.CliException(ExitCode.USAGE, "--state-key is ID=env:NAME or ID=file:PATH");
    }
    Path p = path != null ? path : Optional.ofNullable(env.get("BINARY_BACKENDS_CONFIG")).map(Path::of).orElse(null);
    if (p == null) {
      return new PlatformConfig(JSON.createObjectNode(), env, "no config file (--config or BINARY_BACKENDS_CONFIG)",
          stateKey);
    }
    try {
      JsonNode root = JSON.readTree(Files.readString(p));
      if (root == null || !root.isObject()) {
        throw new ExitCode.CliException(ExitCode.INVALID, "config " + p + ": not a JSON object");
      }
      return new PlatformConfig(root, env, "config " + p, stateKey);
    } catch (IOException e) {
      throw new ExitCode.CliException(ExitCode.INVALID, "config " + p + ": cannot be read (" + e.getMessage() + ")");
    }
  }

  private JsonNode section(String name, String what) {
    JsonNode n = root.get(name);
    if (n == null || !n.isObject()) {
      throw new ExitCode.CliException(ExitCode.INVALID, source + ": no \"" + name + "\" object (" + what + ")");
    }
    return n;
  }

  private String text(JsonNode n, String section, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new ExitCode.CliException(ExitCode.INVALID, source + ": " + section + "." + field + " is missing");
    }
    return v.asText();
  }

  /** The platform's AWS identity, if the config has one. */
  Optional<S3Platform> platform() {
    if (!root.has("platform")) {
      return Optional.empty();
    }
    JsonNode p = section("platform", "the platform's AWS account, identity and credentials");
    JsonNode c = p.get("credentials");
    AwsCredentialsProvider credentials;
    if (c == null || c.isTextual() && c.asText().equals("default")) {
      credentials = DefaultCredentialsProvider.builder().build();
    } else if (c.isObject()) {
      credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
          Secrets.resolve("platform.credentials.accessKeyId", text(c, "platform.credentials", "accessKeyId"), env)
              .revealUtf8(),
          Secrets.resolve("platform.credentials.secretAccessKey", text(c, "platform.credentials", "secretAccessKey"),
              env).revealUtf8()));
    } else {
      throw new ExitCode.CliException(ExitCode.INVALID, source + ": platform.credentials is \"default\" or"
          + " {\"accessKeyId\": \"env:…\", \"secretAccessKey\": \"env:…\"}");
    }
    return Optional.of(new S3Platform(text(p, "platform", "accountId"), text(p, "platform", "principalArn"),
        credentials, AwsRegion.of(text(p, "platform", "region")), http()));
  }

  /** The platform's account id, for the onboarding documents. */
  String accountId() {
    return text(section("platform", "the platform's AWS account"), "platform", "accountId");
  }

  String principalArn() {
    return text(section("platform", "the platform's identity"), "platform", "principalArn");
  }

  private SdkHttpClient http() {
    if (http == null) {
      http = Apache5HttpClient.builder().build();
    }
    return http;
  }

  /** The context backends are built with: the platform's identity if configured. */
  BackendContext context() {
    BackendContext.Builder b = BackendContext.builder();
    platform().ifPresent(p -> b.service(S3Platform.class, p));
    return b.build();
  }

  private OrganizationStateStore store() {
    JsonNode s = section("stateStore", "where organizations' states are kept: file or postgres");
    String type = text(s, "stateStore", "type");
    List<StateKey> keys = new ArrayList<>();
    JsonNode k = s.get("keys");
    if (stateKey != null) {
      String id = stateKey.substring(0, stateKey.indexOf('='));
      keys.add(new StateKey(id, org.binarybackends.Secret.ofBytes(Secrets.resolve("--state-key",
          stateKey.substring(id.length() + 1), env).revealUtf8().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    } else if (k == null || !k.isArray() || k.isEmpty()) {
      throw new ExitCode.CliException(ExitCode.INVALID, source + ": stateStore.keys: the keys sealing the stored"
          + " settings, [{\"id\": …, \"secret\": \"env:…\"}]");
    }
    for (JsonNode key : stateKey != null ? List.<JsonNode>of() : k) {
      keys.add(new StateKey(text(key, "stateStore.keys[]", "id"), org.binarybackends.Secret.ofBytes(
          Secrets.resolve("stateStore.keys[].secret", text(key, "stateStore.keys[]", "secret"), env).revealUtf8()
              .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    switch (type) {
      case "file":
        return JsonFileStateStore.open(Path.of(text(s, "stateStore", "directory")), keys);
      case "postgres":
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(text(s, "stateStore", "url"));
        ds.setUser(text(s, "stateStore", "user"));
        if (s.has("password")) {
          ds.setPassword(Secrets.resolve("stateStore.password", text(s, "stateStore", "password"), env).revealUtf8());
        }
        String mode = s.has("schemaMode") ? text(s, "stateStore", "schemaMode") : "VALIDATE";
        if (!List.of("MIGRATE", "VALIDATE", "NONE").contains(mode)) {
          throw new ExitCode.CliException(ExitCode.INVALID, source + ": stateStore.schemaMode is MIGRATE, VALIDATE"
              + " or NONE, not \"" + mode + "\"");
        }
        try {
          return PostgresStateStore.builder().dataSource(ds).keys(keys)
              .schema(s.has("schema") ? text(s, "stateStore", "schema") : "binary_backends")
              .schemaMode(SchemaMode.valueOf(mode)).build();
        } catch (org.binarybackends.BackendUnavailableException e) {
          throw e; // the database unreachable: 4
        } catch (org.binarybackends.BinaryBackendException e) {
          // a schema missing or of another version: the configuration's to fix
          throw new ExitCode.CliException(ExitCode.INVALID, source + ": stateStore: " + e.getMessage()
              + (mode.equals("VALIDATE") ? " (the CLI validates; \"schemaMode\": \"MIGRATE\" creates or upgrades it)"
                  : ""));
        }
      default:
        throw new ExitCode.CliException(ExitCode.INVALID, source + ": stateStore.type is \"file\" or \"postgres\","
            + " not \"" + type + "\"");
    }
  }

  /**
   * The entry point on the configured store and default storage, never scheduled: a command runs
   * one check and exits.
   */
  BinaryBackends binaries() {
    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    String storage = section("defaultStorage", "the platform's default storage settings").toString();
    ActivationPolicy.Builder policy = ActivationPolicy.builder();
    JsonNode allowed = root.get("allowedTypes");
    if (allowed != null && allowed.isArray()) {
      List<String> types = new ArrayList<>();
      allowed.forEach(t -> types.add(t.asText()));
      policy.allowedTypes(types.toArray(new String[0]));
    }
    JsonNode overrides = root.get("allowEndpointOverrides");
    if (overrides != null && overrides.asBoolean(false)) {
      policy.allowEndpointOverrides(true);
    }
    BackendContext context = context();
    OrganizationStateStore store = store();
    try {
      return BinaryBackends.builder().stateStore(store).defaultStorage(registry.readSettings(storage))
          .context(context).registry(registry).policy(policy.build()).scheduled(false).build();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
  }
}
