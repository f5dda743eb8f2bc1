package org.binarybackends.cloudfront;

import org.binarybackends.BinaryBackend;
import org.binarybackends.s3.PlatformBucketProvider;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.s3.internal.S3Origin;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;
import org.binarybackends.spi.SharedNotes;

/**
 * Type {@code platform-cloudfront}: the platform's bucket behind the platform's CloudFront
 * distribution, every organization's default storage. Storage calls go to the {@code platform-s3}
 * backend of the settings' {@code origin}, built with the same context; download URLs are signed
 * URLs of the distribution, from one fleet cache for every organization. The key rotation of {@link
 * CloudFrontBackendProvider} holds, with its state kept once, in the platform's notes: one {@code
 * verify()} (of the default storage: {@code binaries.defaultStorage().verify()}) probes the
 * distribution for everyone, and every instance reads the outcome within a minute. Found by {@link
 * java.util.ServiceLoader}. Never let organizations register this type: it is the platform's storage.
 */
public final class PlatformCloudFrontProvider implements BinaryBackendProvider<PlatformCloudFrontSettings> {
  /** How many signed URLs the platform's distribution keeps, for every organization: about 16 MB. */
  static final int CACHE_ENTRIES = 16_384;

  /** The provider {@link java.util.ServiceLoader} finds; stateless. */
  public PlatformCloudFrontProvider() {}

  @Override
  public String type() {
    return PlatformCloudFrontSettings.TYPE;
  }

  @Override
  public Class<PlatformCloudFrontSettings> settingsType() {
    return PlatformCloudFrontSettings.class;
  }

  @Override
  public PlatformCloudFrontSettings readSettings(SettingsReader json) {
    return PlatformCloudFrontSettings.read(json);
  }

  /**
   * Builds the backend; calls neither AWS nor the distribution until used or verified.
   *
   * @throws org.binarybackends.InvalidConfigurationException if the context has no {@code S3Platform}
   */
  @Override
  public BinaryBackend create(PlatformCloudFrontSettings settings, BackendContext context) {
    S3Platform platform = S3Platform.of(context);
    PlatformBucketProvider bucket = new PlatformBucketProvider();
    return new CloudFrontBackend(settings.distribution(), Front.of(settings),
        () -> (S3Origin) bucket.create(settings.origin(), context),
        context.service(SharedNotes.class).orElse(CloudFrontBackendProvider.IN_PROCESS), context.clock(),
        platform.httpClient(), CACHE_ENTRIES, context.instrumentation(), type());
  }
}
