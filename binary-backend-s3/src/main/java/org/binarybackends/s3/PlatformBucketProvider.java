package org.binarybackends.s3;

import org.binarybackends.BinaryBackend;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/**
 * Type {@code platform-s3}: the platform's own bucket, every organization's default storage under a
 * prefix of its own, reached with the platform's own credentials. Found by {@link
 * java.util.ServiceLoader}; needs {@link S3Platform} in the context, and takes an {@link S3Transfer}
 * from it too, as the {@code s3} provider does. Never let organizations register this type
 * ({@code ActivationPolicy.allowedTypes} does not unless told): it is the platform's storage.
 */
public final class PlatformBucketProvider implements BinaryBackendProvider<PlatformBucketSettings> {
  /** The provider {@link java.util.ServiceLoader} finds; stateless. */
  public PlatformBucketProvider() {}

  @Override
  public String type() {
    return PlatformBucketSettings.TYPE;
  }

  @Override
  public Class<PlatformBucketSettings> settingsType() {
    return PlatformBucketSettings.class;
  }

  @Override
  public PlatformBucketSettings readSettings(SettingsReader json) {
    return PlatformBucketSettings.read(json);
  }

  /** Builds the backend; calls no AWS API until used or verified. */
  @Override
  public BinaryBackend create(PlatformBucketSettings settings, BackendContext context) {
    return new PlatformBucketBackend(settings, S3Platform.of(context),
        context.service(S3Transfer.class).orElseGet(S3Transfer::defaults), context.clock());
  }
}
