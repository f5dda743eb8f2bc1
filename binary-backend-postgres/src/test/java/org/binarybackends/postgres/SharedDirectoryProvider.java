package org.binarybackends.postgres;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackend;
import org.binarybackends.Secret;
import org.binarybackends.VerificationReport;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/**
 * Type {@code shared-dir}: the default storage's backend on {@code <base>/<name>}, a directory every
 * process of a test shares, whose verification the test decides across processes: it appends a
 * line to {@code <base>/verifies.log} (name, process) as it starts, waits while {@code
 * <base>/hold-<name>} exists, and passes only if {@code <base>/ok-<name>} exists.
 */
final class SharedDirectoryProvider implements BinaryBackendProvider<SharedDirectoryProvider.Settings> {
  private static final Secret ROOT_ID = Secret.of("0123456789abcdef0123456789abcdef");
  private static final Secret SIGNING = Secret.ofBytes("shared-dir-signing-key-0123456789abcdef".getBytes(
      StandardCharsets.UTF_8));

  private final Path base;

  SharedDirectoryProvider(Path base) {
    this.base = base;
  }

  record Settings(String name) implements BackendSettings {
    @Override
    public String type() {
      return "shared-dir";
    }

    @Override
    public BackendInstanceId instanceId() {
      return BackendInstanceId.of("shared-dir", java.util.Map.of("name", name));
    }
  }

  static String settingsJson(String name) {
    return "{\"type\":\"shared-dir\",\"name\":\"" + name + "\"}";
  }

  @Override
  public String type() {
    return "shared-dir";
  }

  @Override
  public Class<Settings> settingsType() {
    return Settings.class;
  }

  @Override
  public Settings readSettings(SettingsReader json) {
    json.skip("type");
    String name = json.requiredString("name", "a directory name");
    return json.finish(() -> new Settings(name));
  }

  @Override
  public BinaryBackend create(Settings settings, BackendContext context) {
    BinaryBackend storage = new DefaultStorageProvider().create(DefaultStorageSettings.builder().name(settings.name())
        .root(base.resolve(settings.name())).rootId(ROOT_ID).downloadBaseUri(URI.create("https://downloads.example.com/"))
        .addSigningKey(SigningKey.of("k1", SIGNING)).build(), context);
    return (BinaryBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BinaryBackend.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "verify":
              return verify(settings);
            case "instanceId":
              return settings.instanceId();
            default:
              try {
                return method.invoke(storage, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
  }

  private VerificationReport verify(Settings settings) throws IOException, InterruptedException {
    Files.writeString(base.resolve("verifies.log"), settings.name() + " " + ProcessHandle.current().pid() + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    Path hold = base.resolve("hold-" + settings.name());
    if (Files.exists(hold)) { // the storage is slow: the test holds it until it deletes the file
      try (java.nio.file.WatchService deletions = base.getFileSystem().newWatchService()) {
        base.register(deletions, java.nio.file.StandardWatchEventKinds.ENTRY_DELETE);
        while (Files.exists(hold)) {
          java.nio.file.WatchKey key = deletions.poll(1, java.util.concurrent.TimeUnit.SECONDS); // woken by a deletion
          if (key != null) {
            key.pollEvents();
            key.reset();
          }
        }
      }
    }
    boolean ok = Files.exists(base.resolve("ok-" + settings.name()));
    return new VerificationReport(settings.instanceId(), Instant.now(), List.of(ok
        ? VerificationReport.Check.passed("shared-dir", "the test lets it pass")
        : VerificationReport.Check.failed("shared-dir", "the test has not made it verifiable yet", false)));
  }
}
