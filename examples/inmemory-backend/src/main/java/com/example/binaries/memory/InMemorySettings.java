package com.example.binaries.memory;

import java.util.List;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;
import org.binarybackends.spi.BackendSettings;

/**
 * Settings of the in-memory backend: a name (its instance id) and a capacity in bytes.
 *
 * @param name distinguishes several in-memory stores; 1 to 32 letters, digits or '-'
 * @param capacityBytes the most bytes it holds, all binaries together
 */
public record InMemorySettings(String name, long capacityBytes) implements BackendSettings {
  public static final String TYPE = "inmemory";

  public InMemorySettings {
    List<Violation> v = new java.util.ArrayList<>();
    if (name == null || !name.matches("[A-Za-z0-9-]{1,32}")) {
      v.add(Violation.of("name", name, "1 to 32 letters, digits or '-'"));
    }
    if (capacityBytes < 1) {
      v.add(Violation.of("capacityBytes", Long.toString(capacityBytes), "at least 1 byte"));
    }
    if (!v.isEmpty()) {
      throw new InvalidConfigurationException(v);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public BackendInstanceId instanceId() {
    return BackendInstanceId.of(TYPE, java.util.Map.of("name", name));
  }
}
