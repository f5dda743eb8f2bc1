package com.example.binaries.memory;

import org.binarybackends.BinaryBackend;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/** Provider of type {@code inmemory}; settings {@code {"type":"inmemory","name":"demo","capacityBytes":1048576}}. */
public final class InMemoryBackendProvider implements BinaryBackendProvider<InMemorySettings> {

  /** The provider {@link java.util.ServiceLoader} finds; stateless, so one may also be made directly. */
  public InMemoryBackendProvider() {}

  @Override
  public String type() {
    return InMemorySettings.TYPE;
  }

  @Override
  public Class<InMemorySettings> settingsType() {
    return InMemorySettings.class;
  }

  @Override
  public InMemorySettings readSettings(SettingsReader json) {
    json.skip("type");
    String name = json.requiredString("name", "1 to 32 letters, digits or '-'");
    long capacity = json.optionalLong("capacityBytes", 1, Long.MAX_VALUE, 64L << 20, "bytes");
    return json.finish(() -> new InMemorySettings(name, capacity));
  }

  @Override
  public BinaryBackend create(InMemorySettings settings, BackendContext context) {
    return new InMemoryBackend(settings, context.clock());
  }
}
