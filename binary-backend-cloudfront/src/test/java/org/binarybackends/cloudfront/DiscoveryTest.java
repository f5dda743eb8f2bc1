package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;

import org.binarybackends.BinaryBackendRegistry;
import org.junit.jupiter.api.Test;

/**
 * The real ServiceLoader finds the CloudFront backend (and the S3 one it builds on) by type. Surefire
 * runs this class twice: on the class path, and on the module path (execution {@code module-path}),
 * where only {@code provides} in {@code module-info.java} can make it visible.
 */
class DiscoveryTest {
  @Test
  void theRegistryFindsTheCloudFrontBackendByItsType() {
    boolean modulePath = Boolean.getBoolean("binarybackends.expectModulePath");
    assertThat(CloudFrontBackendProvider.class.getModule().isNamed()).as("running on the module path")
        .isEqualTo(modulePath);
    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    assertThat(registry.types()).contains("cloudfront", "s3");
    assertThat(registry.provider("cloudfront")).isInstanceOf(CloudFrontBackendProvider.class);
    assertThat(registry.provider("cloudfront").settingsType()).isEqualTo(CloudFrontSettings.class);
  }
}
