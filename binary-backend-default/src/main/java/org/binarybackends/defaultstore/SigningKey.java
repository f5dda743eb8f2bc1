package org.binarybackends.defaultstore;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;

/**
 * An HMAC-SHA256 key that signs download URLs, with the id that URLs carry so the verifier knows
 * which key to check with. Several keys can be trusted at once, for rotation. Immutable;
 * {@link #toString()} shows the id only.
 */
public final class SigningKey {
  /** The shortest secret accepted: 32 bytes, the output size of SHA-256 (RFC 2104's advice). */
  public static final int MIN_SECRET_BYTES = 32;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  private final String id;
  private final Secret secret;

  private SigningKey(String id, Secret secret) {
    this.id = id;
    this.secret = secret;
  }

  /**
   * The key {@code id} with {@code secret}.
   *
   * @throws InvalidConfigurationException if the id is not 1 to 32 of {@code A-Z a-z 0-9 _ -} or the
   *     secret is shorter than {@value #MIN_SECRET_BYTES} bytes (its value is never shown)
   */
  public static SigningKey of(String id, Secret secret) {
    List<Violation> violations = violations("", id, secret);
    if (!violations.isEmpty()) {
      throw new InvalidConfigurationException(violations);
    }
    return new SigningKey(id, secret);
  }

  static List<Violation> violations(String path, String id, Secret secret) {
    List<Violation> out = new ArrayList<>(2);
    if (id == null) {
      out.add(Violation.missing(path + "id", "1 to 32 characters of A-Z a-z 0-9 _ -"));
    } else if (!ID.matcher(id).matches()) {
      out.add(Violation.of(path + "id", id, "1 to 32 characters of A-Z a-z 0-9 _ -"));
    }
    if (secret == null) {
      out.add(Violation.missing(path + "secret", "at least " + MIN_SECRET_BYTES + " random bytes, base64 in JSON"));
    } else if (secret.length() < MIN_SECRET_BYTES) {
      out.add(Violation.ofSecret(path + "secret", "at least " + MIN_SECRET_BYTES + " bytes; it has " + secret.length()));
    }
    return out;
  }

  @JsonProperty("id")
  public String id() {
    return id;
  }

  /** The key; its {@code toString()} and JSON form are {@code ***}. */
  @JsonProperty("secret")
  public Secret secret() {
    return secret;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey && ((SigningKey) o).id.equals(id) && ((SigningKey) o).secret.equals(secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id);
  }

  @Override
  public String toString() {
    return "SigningKey{id=" + id + ", secret=" + Secret.REDACTED + "}";
  }
}
