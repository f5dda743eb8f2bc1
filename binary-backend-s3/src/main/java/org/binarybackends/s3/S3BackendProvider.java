package org.binarybackends.s3;

import org.binarybackends.BinaryBackend;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/**
 * Type {@code s3}: an organization's own bucket, reached through the STS role chain. Found by
 * {@link java.util.ServiceLoader}. Needs the platform-wide {@link S3Platform} in the context
 * ({@code BackendContext.builder().service(S3Platform.class, platform)}); takes an
 * {@link S3Transfer} from it too, else {@link S3Transfer#defaults()}.
 */
public final class S3BackendProvider implements BinaryBackendProvider<S3Settings> {
  /** The provider {@link java.util.ServiceLoader} finds; stateless, so one may also be made directly. */
  public S3BackendProvider() {}

  @Override
  public String type() {
    return S3Settings.TYPE;
  }

  @Override
  public Class<S3Settings> settingsType() {
    return S3Settings.class;
  }

  @Override
  public S3Settings readSettings(SettingsReader json) {
    return S3Settings.read(json);
  }

  /**
   * Builds the backend; calls no AWS API (the role chain is assumed on first use or by
   * {@link BinaryBackend#verify()}).
   *
   * @throws InvalidConfigurationException if the context has no {@link S3Platform}
   */
  @Override
  public BinaryBackend create(S3Settings settings, BackendContext context) {
    S3Platform platform = S3Platform.of(context);
    S3Transfer transfer = context.service(S3Transfer.class).orElseGet(S3Transfer::defaults);
    return new S3Backend(settings, platform, transfer, context.clock(), context.instrumentation());
  }
}
