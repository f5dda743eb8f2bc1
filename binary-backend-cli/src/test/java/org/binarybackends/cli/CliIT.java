package org.binarybackends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.binarybackends.OrganizationId;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The built jar, run as operators run it: a separate process with real arguments, stdin, stdout,
 * stderr and exit codes, against the testkit's STS and S3 server and a file state store.
 */
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "210987654321";
  private static final String PRINCIPAL = "arn:aws:iam::" + ACCOUNT + ":role/platform-service";
  private static final String STATE_KEY = "0123456789abcdef0123456789abcdef";

  @TempDir
  static Path dir;
  private static LocalSts sts;
  private static EmbeddedS3 s3;
  private static LocalSts.Identity base;
  private static final software.amazon.awssdk.http.SdkHttpClient HTTP =
      software.amazon.awssdk.http.apache5.Apache5HttpClient.create();

  @BeforeAll
  static void start() {
    sts = LocalSts.start();
    s3 = EmbeddedS3.start(dir.resolve("s3"), sts);
    base = sts.addBaseIdentity(PRINCIPAL);
  }

  @AfterAll
  static void stop() {
    s3.close();
    sts.close();
  }

  /** What one run of the jar did. */
  record Run(int code, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PLATFORM_KEY_ID", base.accessKeyId());
    env.put("PLATFORM_SECRET", base.secretAccessKey());
    env.put("BB_STATE_KEY", STATE_KEY);
    env.put("BINARY_BACKENDS_PROGRESS", "never");
    return env;
  }

  private static Process start(Map<String, String> env, String... args) throws IOException {
    return start("-Xmx256m", env, args);
  }

  private static Process start(String heap, Map<String, String> env, String... args) throws IOException {
    return start(List.of(), heap, env, args);
  }

  /**
   * The command started with SIGINT at its default, as from a terminal: a build run in the background
   * (a shell's {@code &}, some CI runners) starts with SIGINT ignored, every child inherits that, and
   * the JVM then installs no handler for it (seen: Ctrl-C never reached the put).
   */
  private static Process startAsFromATerminal(Map<String, String> env, String... args) throws IOException {
    return start(List.of("env", "--default-signal=INT"), "-Xmx256m", env, args);
  }

  private static Process start(List<String> prefix, String heap, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // C1 only and the serial collector: each run is short, and these tests start about forty
        heap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", System.getProperty("cli.jar")));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return pb.start();
  }

  private static Run run(byte[] stdin, String... args) throws Exception {
    return run(env(), stdin, args);
  }

  private static Run run(Map<String, String> env, byte[] stdin, String... args) throws Exception {
    Process p = start(env, args);
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the command ends").isTrue();
    return new Run(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Run run(String... args) throws Exception {
    return run(new byte[0], args);
  }

  private static Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static String defaultStorage(String name) {
    return "{\"type\":\"default\",\"name\":\"" + name + "\",\"root\":\"" + dir.resolve(name) + "\",\"rootId\":"
        + "\"00112233445566778899aabbccddeeff\",\"downloadBaseUri\":\"https://downloads.example.com/\","
        + "\"signingKeys\":[{\"id\":\"k1\",\"secret\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"}]}";
  }

  private static Path config(String name) throws IOException {
    return write(name + "-config.json", "{\"platform\":{\"accountId\":\"" + ACCOUNT + "\",\"principalArn\":\""
        + PRINCIPAL + "\",\"region\":\"eu-west-1\",\"credentials\":{\"accessKeyId\":\"env:PLATFORM_KEY_ID\","
        + "\"secretAccessKey\":\"env:PLATFORM_SECRET\"}},\"stateStore\":{\"type\":\"file\",\"directory\":\""
        + dir.resolve(name + "-state") + "\",\"keys\":[{\"id\":\"k1\",\"secret\":\"env:BB_STATE_KEY\"}]},"
        + "\"defaultStorage\":" + defaultStorage(name + "-default") + ",\"allowEndpointOverrides\":true}");
  }

  /** An organization's bucket and roles on the test's STS and S3 server; its s3 settings. */
  private static String onboard(String org, boolean trustApplied) {
    PlatformRole platformRole = PlatformRole.of(OrganizationId.of(org), "uploads", ACCOUNT);
    String customer = "arn:aws:iam::123456789012:role/" + org + "-binaries";
    sts.defineRole(platformRole.arn("aws"), PRINCIPAL, null, true);
    sts.defineRole(customer, platformRole.arn("aws"), org, trustApplied);
    s3.createBucket("bucket-" + org, customer);
    return "{\"type\":\"s3\",\"organization\":\"" + org + "\",\"bucket\":\"bucket-" + org + "\",\"region\":"
        + "\"eu-west-1\",\"roleArn\":\"" + customer + "\",\"roleName\":\"uploads\",\"s3Endpoint\":\"" + s3.endpoint()
        + "\",\"stsEndpoint\":\"" + sts.endpoint() + "\",\"pathStyleAccess\":true}";
  }

  @Test
  void usageErrorsAndHelpHaveTheirExitCodes() throws Exception {
    assertThat(run().code()).isEqualTo(2);
    Run unknown = run("frobnicate");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("frobnicate").contains("--help");
    assertThat(unknown.out()).isEmpty();
    Run help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Exit codes:", "130", "verify", "check-trust");
    Run verifyHelp = run("verify", "--help"); // every command's, in HelpTest
    assertThat(verifyHelp.code()).isZero();
    assertThat(verifyHelp.out()).contains("Example:", "binary-backends");
    assertThat(run("verify").code()).as("a missing -f").isEqualTo(2);
  }

  @Test
  void transfersStreamThroughStdinAndStdoutWithTheirExitCodes() throws Exception {
    Path settings = write("transfers.json", defaultStorage("transfers"));
    byte[] content;
    try (GeneratedContent in = new GeneratedContent(1, 3_000_000)) {
      content = in.readAllBytes();
    }
    Run put = run(content, "put", "acme", "fw/a.bin", "-f", settings.toString(), "-o", "json");
    assertThat(put.code()).as(put.err()).isZero();
    assertThat(put.json().get("size").asLong()).isEqualTo(3_000_000);
    assertThat(put.json().get("sha256").asText()).isEqualTo(GeneratedContent.sha256(1, 3_000_000).hex());

    Process get = start(env(), "get", "acme", "fw/a.bin", "-f", settings.toString());
    get.getOutputStream().close();
    byte[] got = get.getInputStream().readAllBytes();
    assertThat(get.waitFor()).isZero();
    assertThat(got).isEqualTo(content);

    Run stat = run("stat", "acme", "fw/a.bin", "-f", settings.toString(), "-o", "json");
    assertThat(stat.json().get("size").asLong()).isEqualTo(3_000_000);
    Run ls = run("ls", "acme", "fw/", "-f", settings.toString());
    assertThat(ls.out()).startsWith("fw/a.bin\t3000000\t");

    assertThat(run("stat", "acme", "fw/missing.bin", "-f", settings.toString()).code()).as("not found").isEqualTo(5);
    Run wrong = run("hello".getBytes(StandardCharsets.UTF_8), "put", "acme", "fw/b.bin", "-f", settings.toString(),
        "--sha256", GeneratedContent.sha256(2, 5).hex());
    assertThat(wrong.code()).as("integrity").isEqualTo(7);
    assertThat(run("stat", "acme", "fw/b.bin", "-f", settings.toString()).code()).isEqualTo(5);
    assertThat(run("put", "acme", "../escape", "-f", settings.toString()).code()).as("a bad key").isEqualTo(3);
    Run rm = run("rm", "acme", "fw/a.bin", "-f", settings.toString(), "-o", "json");
    assertThat(rm.code()).isZero();
    assertThat(rm.json().get("deleted").asBoolean()).isTrue();
    assertThat(run("rm", "acme", "fw/a.bin", "-f", settings.toString()).code()).isEqualTo(5);

    // settings from stdin
    Run fromStdin = run(defaultStorage("transfers").getBytes(StandardCharsets.UTF_8), "verify", "-f", "-");
    assertThat(fromStdin.code()).as(fromStdin.err()).isZero();
    assertThat(fromStdin.out()).contains("PASSED write-read-probe");
  }

  @Test
  void onboardingAnOrganizationEndToEnd() throws Exception {
    Path config = config("onboarding");
    Path settings = write("acme-s3.json", onboard("acme", false));
    String c = config.toString();

    Run trust = run("--config", c, "policy", "trust", "-f", settings.toString());
    assertThat(trust.code()).as(trust.err()).isZero();
    assertThat(trust.json().toString()).contains("sts:AssumeRole", "sts:ExternalId", "acme");
    Path pasted = write("pasted.json", trust.out());
    Run good = run("--config", c, "check-trust", "-f", settings.toString(), pasted.toString());
    assertThat(good.code()).as(good.out()).isZero();
    Run tampered = run(trust.out().replace("\"acme\"", "\"someone-else\"").getBytes(StandardCharsets.UTF_8),
        "--config", c, "check-trust", "-f", settings.toString(), "-");
    assertThat(tampered.code()).isEqualTo(1);
    assertThat(tampered.out()).contains("problem:");
    for (String kind : List.of("permissions", "platform-role", "lifecycle")) {
      assertThat(run("--config", c, "policy", kind, "-f", settings.toString()).code()).as(kind).isZero();
    }
    assertThat(run("--config", c, "policy", "oac", "-f", settings.toString()).code()).as("without its ARN")
        .isEqualTo(2);

    // the trust is not applied yet: verify fails with the diagnosis
    Run failing = run("--config", c, "verify", "-f", settings.toString());
    assertThat(failing.code()).isIn(1, 4);
    assertThat(failing.out()).contains("FAILED", "trust");

    Run noActor = run("--config", c, "register", "acme", "-f", settings.toString());
    assertThat(noActor.code()).isEqualTo(2);
    Run registered = run("--config", c, "register", "acme", "-f", settings.toString(), "--actor", "alice", "-o",
        "json");
    assertThat(registered.code()).as(registered.err()).isZero();
    assertThat(registered.json().get("uploadsGoTo").asText()).isEqualTo("DEFAULT_STORAGE");

    sts.defineRole("arn:aws:iam::123456789012:role/acme-binaries", PlatformRole.of(OrganizationId.of("acme"),
        "uploads", ACCOUNT).arn("aws"), "acme", true); // the customer saves the trust policy
    Run passing = run("--config", c, "verify", "-f", settings.toString());
    assertThat(passing.code()).as(passing.out()).isZero();
    assertThat(passing.out()).contains("passed").doesNotContain("FAILED");
    Run checked = run("--config", c, "check", "acme", "-o", "json");
    assertThat(checked.code()).as(checked.err()).isZero();
    Run status = run("--config", c, "status", "acme", "-o", "json");
    assertThat(status.json().get("uploadsGoTo").asText()).as(status.out()).isNotEqualTo("DEFAULT_STORAGE");
    assertThat(status.out()).contains("alice");

    // without -f: where the organization's uploads go now, its bucket
    Run put = run("firmware".getBytes(StandardCharsets.UTF_8), "--config", c, "put", "acme", "fw/1.bin", "-o", "json");
    assertThat(put.code()).as(put.err()).isZero();
    assertThat(put.json().get("storage").asText()).contains("bucket-acme");
    Run signed = run("--config", c, "sign", "acme", "fw/1.bin", "--ttl", "PT10M");
    assertThat(signed.code()).isZero();
    assertThat(signed.out()).doesNotContain("X-Amz-Signature=").contains("bucket-acme");
    Run shown = run("--config", c, "sign", "acme", "fw/1.bin", "--ttl", "PT10M", "--show-url", "-o", "json");
    assertThat(shown.json().get("url").asText()).contains("X-Amz-Signature=");

    assertThat(run("--config", c, "status", "nobody").code()).isEqualTo(5);
    assertThat(run("--config", c, "remove", "acme", "--actor", "alice").code()).isZero();
    assertThat(run("--config", c, "status", "acme", "-o", "json").json().get("uploadsGoTo").asText())
        .isEqualTo("DEFAULT_STORAGE");
  }

  @Test
  void anOrganizationsBinariesMoveToItsBucketWithMigrate() throws Exception {
    Path config = config("migrate");
    String c = config.toString();
    for (int i = 1; i <= 3; i++) {
      Run put = run(("firmware " + i).getBytes(StandardCharsets.UTF_8), "--config", c, "put", "mover", "fw/" + i + ".bin");
      assertThat(put.code()).as(put.err()).isZero();
    }
    Path settings = write("mover-s3.json", onboard("mover", true));
    assertThat(run("--config", c, "register", "mover", "-f", settings.toString(), "--actor", "alice").code()).isZero();

    Run bad = run("--config", c, "migrate", "plan", "mover", "--from", "nowhere", "--to", "active");
    assertThat(bad.code()).isEqualTo(3);
    assertThat(bad.err()).contains("--from 'nowhere'", "default", "active");
    Run plan = run("--config", c, "migrate", "plan", "mover", "--from", "default", "--to", "active", "-o", "json");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.json().get("toCopy").asInt()).isEqualTo(3);
    assertThat(run("--config", c, "migrate", "run", "mover", "--from", "default", "--to", "active").code())
        .as("without --actor").isEqualTo(2);
    Run moved = run("--config", c, "migrate", "run", "mover", "--from", "default", "--to", "active", "--actor",
        "alice", "-o", "json");
    assertThat(moved.code()).as(moved.err()).isZero();
    assertThat(moved.json().get("state").asText()).isEqualTo("COMPLETED");
    assertThat(moved.json().get("copied").asInt()).isEqualTo(3);
    Run status = run("--config", c, "migrate", "status", "mover", "--from", "default");
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("COMPLETED", "3 copied");
    Run early = run("--config", c, "migrate", "delete-source", "mover", "--from", "default", "--actor", "alice");
    assertThat(early.code()).isEqualTo(3);
    assertThat(early.err()).contains("7 days");
    assertThat(run("--config", c, "status", "mover", "-o", "json").out()).contains("moved the binaries of");
  }

  @Test
  void theStateCommandsOnPostgresql() throws Exception {
    try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres
        .builder().start()) {
      String store = "{\"type\":\"postgres\",\"url\":\"" + pg.getJdbcUrl("postgres", "postgres") + "\",\"user\":"
          + "\"postgres\",\"schema\":\"cli\",\"keys\":[{\"id\":\"k1\",\"secret\":\"env:BB_STATE_KEY\"}]";
      Path validating = write("pg-validate.json", "{\"stateStore\":" + store + "},\"defaultStorage\":"
          + defaultStorage("pg-default") + "}");
      Run unmigrated = run("--config", validating.toString(), "status");
      assertThat(unmigrated.code()).as("the CLI never migrates unless told").isEqualTo(3);
      assertThat(unmigrated.err()).contains("cli").hasLineCount(1);

      Path config = write("pg.json", "{\"platform\":{\"accountId\":\"" + ACCOUNT + "\",\"principalArn\":\""
          + PRINCIPAL + "\",\"region\":\"eu-west-1\",\"credentials\":{\"accessKeyId\":\"env:PLATFORM_KEY_ID\","
          + "\"secretAccessKey\":\"env:PLATFORM_SECRET\"}},\"stateStore\":" + store + ",\"schemaMode\":\"MIGRATE\"},"
          + "\"defaultStorage\":" + defaultStorage("pg-default") + ",\"allowEndpointOverrides\":true}");
      Path settings = write("pg-s3.json", onboard("pgorg", true));
      Run registered = run("--config", config.toString(), "register", "pgorg", "-f", settings.toString(), "--actor",
          "bob", "-o", "json");
      assertThat(registered.code()).as(registered.err()).isZero();
      Run status = run("--config", config.toString(), "status", "-o", "json");
      assertThat(status.code()).as(status.err()).isZero();
      assertThat(status.json().get("organization").asText()).isEqualTo("pgorg");
      assertThat(status.out()).contains("bob");
    }
  }

  @Test
  void secretsAreTakenFromTheEnvironmentOrFilesOnlyAndNeverShown() throws Exception {
    String literal = "{\"stateStore\":{\"type\":\"file\",\"directory\":\"" + dir.resolve("s-state") + "\",\"keys\":"
        + "[{\"id\":\"k1\",\"secret\":\"" + STATE_KEY + "\"}]},\"defaultStorage\":" + defaultStorage("s-default") + "}";
    Run refused = run("--config", write("literal.json", literal).toString(), "status");
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err()).contains("stateStore.keys[].secret", "env:NAME or file:PATH").doesNotContain(STATE_KEY);

    Map<String, String> unset = env();
    unset.remove("BB_STATE_KEY");
    Run missing = run(unset, new byte[0], "--config", config("unset").toString(), "status");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err()).contains("BB_STATE_KEY");

    // on the command line: only a reference, never the value
    String keyless = "{\"stateStore\":{\"type\":\"file\",\"directory\":\"" + dir.resolve("k-state") + "\"},"
        + "\"defaultStorage\":" + defaultStorage("k-default") + "}";
    Path keylessConfig = write("keyless.json", keyless);
    Run literalFlag = run("--config", keylessConfig.toString(), "--state-key", "k1=" + STATE_KEY, "status");
    assertThat(literalFlag.code()).isEqualTo(3);
    assertThat(literalFlag.err()).contains("--state-key", "env:NAME or file:PATH").doesNotContain(STATE_KEY)
        .hasLineCount(1);
    Run byReference = run("--config", keylessConfig.toString(), "--state-key", "k1=env:BB_STATE_KEY", "status");
    assertThat(byReference.code()).as(byReference.err()).isZero();

    Path keyFile = write("state-key", STATE_KEY + "\n");
    Run fromFile = run("--config", write("file.json", literal.replace("\"" + STATE_KEY + "\"", "\"file:" + keyFile
        + "\"")).toString(), "status");
    assertThat(fromFile.code()).as(fromFile.err()).isZero();
  }

  @Test
  void ctrlCDuringAPutAbortsTheUploadAndExits130() throws Exception {
    Path settings = write("ctrl-c.json", onboard("ctrlc", true));
    Process put = startAsFromATerminal(env(), "--config", config("ctrl-c").toString(), "put", "ctrlc",
        "fw/big.bin", "-f", settings.toString());
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(put.getErrorStream()));
    OutputStream in = put.getOutputStream();
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < 12; i++) { // more than a part: a multipart upload is in progress
      in.write(chunk);
    }
    in.flush();
    try (S3Client client = inspector("ctrlc")) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (client.listMultipartUploads(r -> r.bucket("bucket-ctrlc")).uploads().isEmpty()) {
        assertThat(System.nanoTime()).as("an upload started").isLessThan(deadline);
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // another process's progress: polled
      }
      new ProcessBuilder("kill", "-INT", Long.toString(put.pid())).start().waitFor();
      // the hook waits at most 60 s for the clean-up: a put still running at 45 s is stuck somewhere,
      // and its threads say where (the failure message carries them)
      String stuck = "";
      if (!put.waitFor(45, TimeUnit.SECONDS)) {
        Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(put.pid()), "Thread.print").redirectErrorStream(true).start();
        stuck = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(put.waitFor(75, TimeUnit.SECONDS)).as("exited after Ctrl-C; its threads at 45 s:%n%s", stuck)
          .isTrue();
      assertThat(put.exitValue()).as(new String(err.get(), StandardCharsets.UTF_8)).isEqualTo(130);
      assertThat(client.listMultipartUploads(r -> r.bucket("bucket-ctrlc")).uploads()).as("no orphaned upload")
          .isEmpty();
      assertThat(client.listObjectsV2(r -> r.bucket("bucket-ctrlc")).contents()).isEmpty();
    } finally {
      in.close();
    }
  }

  /** A plain S3 client as the organization's role, through the test's STS. */
  private static S3Client inspector(String org) {
    var platformSts = software.amazon.awssdk.services.sts.StsClient.builder().region(Region.EU_WEST_1)
        .httpClient(HTTP).endpointOverride(sts.endpoint()).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey()))).build();
    var hop = software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider.builder().stsClient(platformSts)
        .refreshRequest(r -> r.roleArn(PlatformRole.of(OrganizationId.of(org), "uploads", ACCOUNT).arn("aws"))
            .roleSessionName("inspector")).build();
    var customerSts = software.amazon.awssdk.services.sts.StsClient.builder().region(Region.EU_WEST_1)
        .httpClient(HTTP).endpointOverride(sts.endpoint()).credentialsProvider(hop).build();
    var chain = software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider.builder()
        .stsClient(customerSts).refreshRequest(r -> r.roleArn("arn:aws:iam::123456789012:role/" + org + "-binaries")
            .roleSessionName("inspector").externalId(org)).build();
    return S3Client.builder().region(Region.EU_WEST_1).endpointOverride(s3.directEndpoint()).forcePathStyle(true)
        .httpClient(HTTP).credentialsProvider(chain).build();
  }

  @Test
  void everyBadInputIsOneLineNamingWhatToFix() throws Exception {
    Run unreadable = run("verify", "-f", dir.resolve("no-such-settings.json").toString());
    assertThat(unreadable.code()).isEqualTo(3);
    assertThat(unreadable.err()).contains("no-such-settings.json").hasLineCount(1);
    Run invalid = run("verify", "-f", write("invalid.json", "{\"type\": \"default\", ").toString());
    assertThat(invalid.code()).isEqualTo(3);
    assertThat(invalid.err()).startsWith("error: ").hasLineCount(1);
    Run wrongField = run("verify", "-f", write("wrong-field.json", "{\"type\": \"default\", \"root\": 5}")
        .toString());
    assertThat(wrongField.code()).isEqualTo(3);
    assertThat(wrongField.err()).contains("root").hasLineCount(1);
    Run missingOption = run("put", "acme");
    assertThat(missingOption.code()).isEqualTo(2);
    assertThat(missingOption.err()).contains("KEY", "binary-backends put --help").hasLineCount(1);
    Run badTtl = run("sign", "acme", "k", "--ttl", "forever", "-f", write("ttl.json", defaultStorage("ttl")).toString());
    assertThat(badTtl.code()).isEqualTo(2);
    assertThat(badTtl.err()).contains("--ttl", "forever");
  }

  @Test
  void unreachableAndAccessDeniedHaveTheirExitCodes() throws Exception {
    Path config = config("codes");
    String denied = onboard("denied", true);
    s3.faults().denyFor("arn:aws:iam::123456789012:role/denied-binaries", org.binarybackends.testkit.s3.S3Operation
        .PUT_OBJECT);
    try {
      Run refused = run("x".getBytes(StandardCharsets.UTF_8), "--config", config.toString(), "put", "denied", "fw/x.bin",
          "-f", write("denied.json", denied).toString());
      assertThat(refused.code()).as(refused.err()).isEqualTo(6);
      assertThat(refused.err()).contains("s3:PutObject");
    } finally {
      s3.faults().clear();
    }
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String unreachable = onboard("unreachable", true).replace(s3.endpoint().toString(), "http://127.0.0.1:" + closed);
    Run down = run("--config", config.toString(), "stat", "unreachable", "fw/x.bin", "-f",
        write("unreachable.json", unreachable).toString());
    assertThat(down.code()).as(down.err()).isEqualTo(4);
  }

  @Test
  void aBinaryLargerThanTheHeapStreamsThroughInAndOut() throws Exception {
    Path settings = write("large.json", defaultStorage("large"));
    long size = 160L << 20; // the JVM has 48 MiB of heap
    Process put = start("-Xmx48m", env(), "put", "acme", "fw/large.bin", "-f", settings.toString(), "-o", "json");
    CompletableFuture<byte[]> putOut = CompletableFuture.supplyAsync(() -> readAll(put.getInputStream()));
    CompletableFuture<byte[]> putErr = CompletableFuture.supplyAsync(() -> readAll(put.getErrorStream()));
    try (OutputStream in = put.getOutputStream(); GeneratedContent content = new GeneratedContent(9, size)) {
      content.transferTo(in);
    }
    assertThat(put.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(put.exitValue()).as(new String(putErr.get(), StandardCharsets.UTF_8)).isZero();
    assertThat(JSON.readTree(putOut.get()).get("sha256").asText()).isEqualTo(GeneratedContent.sha256(9, size).hex());

    Process get = start("-Xmx48m", env(), "get", "acme", "fw/large.bin", "-f", settings.toString());
    get.getOutputStream().close();
    CompletableFuture<byte[]> getErr = CompletableFuture.supplyAsync(() -> readAll(get.getErrorStream()));
    org.binarybackends.Sha256Digest read = GeneratedContent.digest(get.getInputStream());
    assertThat(get.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(get.exitValue()).as(new String(getErr.get(), StandardCharsets.UTF_8)).isZero();
    assertThat(read).isEqualTo(GeneratedContent.sha256(9, size));
  }

  @Test
  void aCloudFrontDistributionsKeysAndSignedUrlsThroughTheEdgeEmulator() throws Exception {
    Path config = config("cdn");
    String bucket = onboard("cdn", true);
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    java.security.KeyPair pair = g.generateKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(
        StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    try (org.binarybackends.testkit.CloudFrontEdgeEmulator edge = org.binarybackends.testkit.CloudFrontEdgeEmulator
        .start(s3.cloudFrontOrigin("bucket-cdn", ""), java.time.Clock.systemUTC())) {
      edge.trust("KCLITEST1", pair.getPublic());
      var cf = JSON.createObjectNode().put("type", "cloudfront").put("host", "d1234567890.cloudfront.net")
          .put("endpoint", edge.baseUrl().toString());
      cf.putArray("keys").addObject().put("keyPairId", "KCLITEST1").put("privateKey", pem);
      cf.set("origin", JSON.readTree(bucket));
      Path settings = write("cdn-cloudfront.json", cf.toString());
      Run keys = run("--config", config.toString(), "keys", "-f", settings.toString());
      assertThat(keys.code()).as(keys.out() + keys.err()).isZero();
      assertThat(keys.out()).contains("signed-get", "KCLITEST1").doesNotContain("BEGIN");

      Run put = run("through the edge".getBytes(StandardCharsets.UTF_8), "--config", config.toString(), "put", "cdn",
          "fw/x.bin", "-f", settings.toString());
      assertThat(put.code()).as(put.err()).isZero();
      Run signed = run("--config", config.toString(), "sign", "cdn", "fw/x.bin", "-f", settings.toString(),
          "--show-url", "-o", "json");
      java.net.URI url = java.net.URI.create(signed.json().get("url").asText());
      assertThat(url.getPort()).isEqualTo(edge.baseUrl().getPort());
      var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(url).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("through the edge");

      edge.untrust("KCLITEST1"); // the key removed from the key group: the verify says which and why
      Run untrusted = run("--config", config.toString(), "keys", "-f", settings.toString());
      assertThat(untrusted.code()).isEqualTo(1);
      assertThat(untrusted.out()).contains("InvalidKey");
    }
  }

  @Test
  void dataGoesToStdoutAndLogsToStderr() throws Exception {
    Path settings = write("streams.json", defaultStorage("streams"));
    Run put = run("x".getBytes(StandardCharsets.UTF_8), "put", "acme", "fw/x.bin", "-f", settings.toString(), "-o",
        "json");
    assertThat(put.json().get("key").asText()).as("stdout is only the data").isEqualTo("fw/x.bin");
    Run missing = run("get", "acme", "fw/none.bin", "-f", settings.toString());
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err()).contains("error:", "fw/none.bin");
    Run fail = run("--config", write("broken.json", "{not json").toString(), "status");
    assertThat(fail.code()).isEqualTo(3);
    assertThat(fail.out()).isEmpty();
    assertThat(fail.err()).contains("broken.json").hasLineCount(1);

    Path settings2 = write("progress.json", defaultStorage("progress"));
    Map<String, String> terminal = env();
    terminal.put("BINARY_BACKENDS_PROGRESS", "always"); // as when stderr is a terminal
    Run shown = run(terminal, new byte[3 << 20], "put", "acme", "fw/p.bin", "-f", settings2.toString());
    assertThat(shown.err()).contains("MiB", "/s");
    Map<String, String> piped = env();
    piped.remove("BINARY_BACKENDS_PROGRESS"); // stderr is a pipe here: no progress
    Run quiet = run(piped, new byte[3 << 20], "put", "acme", "fw/q.bin", "-f", settings2.toString());
    assertThat(quiet.code()).isZero();
    assertThat(quiet.err()).doesNotContain("MiB");
  }
}
