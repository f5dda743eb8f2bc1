package org.binarybackends.benchmarks;

import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.testkit.ControlledBackendProvider;

/** Organizations, a share of them with their own (verified, switched) storage, on one {@link BinaryBackends}. */
final class ResolverFixture implements AutoCloseable {
  final OrganizationId[] organizations;
  final BinaryBackends binaries;
  final ControlledBackendProvider provider = new ControlledBackendProvider();

  ResolverFixture(int count, int everyNthCustom) {
    binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore())
        .defaultStorage(new ControlledBackendProvider.Settings("platform-default"))
        .registry(BinaryBackendRegistry.of(provider))
        .policy(ActivationPolicy.builder().allowedTypes("controlled").build()).scheduled(false).build();
    organizations = new OrganizationId[count];
    for (int i = 0; i < count; i++) {
      organizations[i] = OrganizationId.of(String.format("%08x-0000-4000-8000-%012x", i, (long) i * 7919));
      if (i % everyNthCustom == 0) {
        binaries.register(organizations[i], SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-" + i)),
            "benchmark");
        binaries.check(organizations[i]);
        // a year of ups and downs: the history the store keeps, and the resolver must not
        for (int round = 0; round < 20; round++) {
          binaries.allowFallback(organizations[i], round % 2 == 0, "benchmark");
        }
      }
    }
  }

  /** Resolves every organization once, so that all are cached. */
  int resolveAll() {
    int custom = 0;
    for (OrganizationId org : organizations) {
      custom += binaries.forUpload(org).custom() ? 1 : 0;
    }
    return custom;
  }

  @Override
  public void close() {
    binaries.close();
  }
}
