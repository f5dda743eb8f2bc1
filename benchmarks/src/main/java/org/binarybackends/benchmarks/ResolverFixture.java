package org.binarybackends.benchmarks;

import java.time.Duration;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.Activator;
import org.binarybackends.activation.BackendPool;
import org.binarybackends.activation.BackendResolver;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.ControlledBackendProvider;

/** Organizations, a share of them with their own (verified, switched) storage, and a resolver over them. */
final class ResolverFixture {
  final OrganizationId[] organizations;
  final BackendResolver resolver;
  final BackendPool pool;

  ResolverFixture(int count, int everyNthCustom) {
    ControlledBackendProvider provider = new ControlledBackendProvider();
    BackendContext context = BackendContext.defaults();
    InMemoryStateStore store = new InMemoryStateStore();
    BinaryBackend platformDefault = provider.create(new ControlledBackendProvider.Settings("platform-default"), context);
    pool = new BackendPool(BinaryBackendRegistry.of(provider), context, Duration.ofHours(6));
    resolver = new BackendResolver(store, platformDefault, pool);
    Activator activator = new Activator(store, pool, resolver, ActivationPolicy.builder().allowedTypes("controlled").build(), context.clock());
    organizations = new OrganizationId[count];
    for (int i = 0; i < count; i++) {
      organizations[i] = OrganizationId.of(String.format("%08x-0000-4000-8000-%012x", i, (long) i * 7919));
      if (i % everyNthCustom == 0) {
        activator.register(organizations[i], SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-" + i)),
            Optional.empty(), "benchmark");
        activator.check(organizations[i]);
        // a year of ups and downs: the history the store keeps, and the resolver must not
        for (int round = 0; round < 20; round++) {
          activator.allowFallback(organizations[i], round % 2 == 0, "benchmark");
        }
      }
    }
  }

  /** Resolves every organization once, so that all are cached. */
  int resolveAll() {
    int custom = 0;
    for (OrganizationId org : organizations) {
      custom += resolver.forUpload(org).custom() ? 1 : 0;
    }
    return custom;
  }
}
