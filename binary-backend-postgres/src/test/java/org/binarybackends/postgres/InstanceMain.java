package org.binarybackends.postgres;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.SettingsJson;

/**
 * One service instance in a JVM of its own, for {@code SeparateJvmsTest}: PostgreSQL store, the
 * shared directory storage, checks on a schedule; driven line by line on stdin, one answer line per
 * command on stdout. Arguments: JDBC URL, user, schema, shared directory, instance name, lease millis.
 */
public final class InstanceMain {
  static final OrganizationId ORG = OrganizationId.of("org-a");

  private InstanceMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    Path base = Path.of(args[3]);
    ActivationPolicy policy = ActivationPolicy.builder().jitter(0).allowedTypes("shared-dir")
        .pendingFirstDelay(Duration.ofMillis(200)).pendingMaxDelay(Duration.ofMillis(400))
        .activeInterval(Duration.ofSeconds(1)).degradedInterval(Duration.ofMillis(500))
        .checkLease(Duration.ofMillis(Long.parseLong(args[5]))).build();
    // answers start with "> ": the logs share stdout
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    java.util.function.Consumer<String> answer = line -> stdout.println("> " + line);
    SharedDirectoryProvider provider = new SharedDirectoryProvider(base);
    try (BinaryBackends binaries = BinaryBackends.builder()
        .stateStore(PostgresStateStore.builder().dataSource(new UrlDataSource(url, user))
            .keys(PostgresFixture.KEYS).schema(args[2]).schemaMode(SchemaMode.VALIDATE).build())
        .defaultStorage(new SharedDirectoryProvider.Settings("platform")).registry(BinaryBackendRegistry.of(provider))
        .policy(policy).checks(Duration.ofMillis(50), 4).instanceName(args[4]).build();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      answer.accept("ready " + ProcessHandle.current().pid());
      for (String line; (line = in.readLine()) != null; ) {
        String[] c = line.split(" ");
        try {
          switch (c[0]) {
            case "register":
              binaries.register(ORG, SettingsJson.of(SharedDirectoryProvider.settingsJson(c[1])), args[4]);
              answer.accept("ok");
              break;
            case "custom":
              answer.accept(Boolean.toString(binaries.forUpload(ORG).custom()));
              break;
            case "upload":
              StoredBinary b = binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of(c[1]),
                  new ByteArrayInputStream(c[1].getBytes(StandardCharsets.UTF_8)));
              answer.accept("stored " + b.location().instance().attributes().get("name"));
              break;
            case "read":
              BinaryLocation at = new BinaryLocation(new SharedDirectoryProvider.Settings(c[1]).instanceId(), ORG,
                  ObjectKey.of(c[2]));
              try (BinaryContent content = binaries.forBinary(at).read(ORG, at.key())) {
                answer.accept(new String(content.stream().readAllBytes(), StandardCharsets.UTF_8));
              }
              break;
            case "quit":
              answer.accept("bye");
              return;
            default:
              answer.accept("error unknown command " + c[0]);
          }
        } catch (RuntimeException e) {
          answer.accept("error " + e.getClass().getSimpleName() + ": " + e.getMessage().replace('\n', ' '));
        }
      }
    }
  }

  /** Connections by URL: enough for a test's process (a service passes its pool). */
  static final class UrlDataSource implements DataSource {
    private final String url;
    private final String user;

    UrlDataSource(String url, String user) {
      this.url = url;
      this.user = user;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url, user, "");
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }

  static List<String> command(String url, String user, String schema, Path base, String name, long leaseMillis) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), InstanceMain.class.getName(), url, user, schema, base.toString(), name,
        Long.toString(leaseMillis));
  }
}
