package org.binarybackends.activation;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;

/**
 * An AES-256 key that encrypts the settings (and so the secrets) in a {@link JsonFileStateStore},
 * with an id stored beside each ciphertext so that keys can be rotated. Supplied by the embedding
 * service (from its secret manager); never stored by the library. {@link #toString()} shows the id.
 *
 * @param id 1 to 32 of {@code A-Z a-z 0-9 _ -}
 * @param key exactly 32 bytes
 */
public record StateKey(String id, Secret key) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public StateKey {
    List<Violation> v = new java.util.ArrayList<>();
    if (id == null || !ID.matcher(id).matches()) {
      v.add(Violation.of("stateKey.id", id, "1 to 32 characters of A-Z a-z 0-9 _ -"));
    }
    if (key == null || key.length() != 32) {
      v.add(Violation.ofSecret("stateKey.key", "exactly 32 random bytes (AES-256)"
          + (key == null ? "" : "; it has " + key.length())));
    }
    if (!v.isEmpty()) {
      throw new InvalidConfigurationException(v);
    }
    Objects.requireNonNull(key);
  }

  @Override
  public String toString() {
    return "StateKey{id=" + id + ", key=***}";
  }
}
