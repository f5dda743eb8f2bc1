package org.binarybackends.cloudfront;

import org.binarybackends.BinaryBackend;
import org.binarybackends.s3.S3BackendProvider;
import org.binarybackends.s3.internal.S3Origin;
import org.binarybackends.s3.S3Platform;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;
import org.binarybackends.spi.SharedNotes;

/**
 * Type {@code cloudfront}: an organization's bucket behind its CloudFront distribution. Uploads, reads,
 * listings and deletes go to the bucket (its {@code s3} backend, built from the settings'
 * {@code origin} with the same context, so it needs the context's {@code S3Platform}); download URLs
 * are CloudFront signed URLs. Found by {@link java.util.ServiceLoader}.
 *
 * <p>As the download configuration of a configuration ({@code Activator.register(org, s3Settings,
 * Optional.of(cloudFrontSettings), actor)}), give it the upload configuration's settings as its {@code origin}:
 * the organization switches once the bucket and the distribution both verify.
 *
 * <p><b>Key rotation</b>, without a failed download:
 * <ol>
 *   <li>create the new key pair; add its public key to the distribution's key group;
 *   <li>append it to {@code keys} in the settings (the old one stays) and register them;
 *   <li>the next {@code verify()} fetches a probe signed with the new key through the distribution; once
 *       it passes, the new key signs, on every service instance (they share the fact through the
 *       context's {@link SharedNotes}, e.g. the state store's {@code NoteStore.asSharedNotes()});
 *   <li>{@code verify()} then reports the old key "removable now" once the last URL it signed has
 *       expired: remove it from the key group and from the settings.
 * </ol>
 * Without {@link SharedNotes} in the context, one in-process set of notes serves every backend of
 * this JVM, which is right for a single service instance only.
 */
public final class CloudFrontBackendProvider implements BinaryBackendProvider<CloudFrontSettings> {
  static final SharedNotes IN_PROCESS = SharedNotes.inProcess();

  /** The provider {@link java.util.ServiceLoader} finds; stateless, so one may also be made directly. */
  public CloudFrontBackendProvider() {}

  @Override
  public String type() {
    return CloudFrontSettings.TYPE;
  }

  @Override
  public Class<CloudFrontSettings> settingsType() {
    return CloudFrontSettings.class;
  }

  @Override
  public CloudFrontSettings readSettings(SettingsReader json) {
    return CloudFrontSettings.read(json);
  }

  /**
   * Builds the backend; calls neither AWS nor the distribution (verify does), and builds the S3
   * backend of the origin only when a storage call needs it.
   *
   * @throws org.binarybackends.InvalidConfigurationException if the context has no {@code S3Platform}
   */
  @Override
  public BinaryBackend create(CloudFrontSettings settings, BackendContext context) {
    S3Platform platform = S3Platform.of(context); // checked now, not at the first storage call
    S3BackendProvider s3 = new S3BackendProvider();
    return new CloudFrontBackend(settings.distribution(), Front.of(settings),
        () -> (S3Origin) s3.create(settings.origin(), context), context.service(SharedNotes.class).orElse(IN_PROCESS),
        context.clock(), platform.httpClient(), CloudFrontBackend.CACHE_ENTRIES, context.instrumentation(), type());
  }
}
