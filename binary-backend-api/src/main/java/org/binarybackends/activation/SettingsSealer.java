package org.binarybackends.activation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;

/**
 * Encrypts organizations' settings, which hold secrets, for a state store: AES-256-GCM under the
 * first {@link StateKey} (every key given decrypts, for rotation), with the organization, the slot
 * and the place of the settings in the state bound as associated data, so that sealed settings moved
 * to another organization or slot do not open. The store never holds a secret in clear. Part of the
 * store SPI: {@link StateCodec} uses it, and a database store uses the codec. Thread-safe.
 *
 * <p>Sealed settings are a JSON object: {@code {"type", "alg": "AES-256-GCM", "keyId", "nonce",
 * "ciphertext"}} (base64), the type in clear so that an operator can read what is configured.
 */
public final class SettingsSealer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NONCE_BYTES = 12;
  private static final String AAD_PREFIX = "binary-backends/settings/v1|";

  private final List<StateKey> keys;
  private final SecureRandom random = new SecureRandom();

  private SettingsSealer(List<StateKey> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * A sealer whose first key seals; every key opens.
   *
   * @throws InvalidConfigurationException if no key is given or two share an id
   */
  public static SettingsSealer of(List<StateKey> keys) {
    if (keys == null || keys.isEmpty() || keys.stream().map(StateKey::id).distinct().count() != keys.size()) {
      throw new InvalidConfigurationException(List.of(Violation.of("stateKeys",
          keys == null ? null : keys.size() + " keys", "at least one key, each with its own id")));
    }
    return new SettingsSealer(keys);
  }

  /** The ids of the keys, the sealing one first (safe to show). */
  public List<String> keyIds() {
    return keys.stream().map(StateKey::id).toList();
  }

  /**
   * {@code settings} sealed for their place: {@code slot} (e.g. {@code active}) and {@code place}
   * (e.g. the configuration's id and part) in {@code organization}'s state.
   */
  public ObjectNode seal(SettingsJson settings, OrganizationId organization, String slot, String place) {
    StateKey key = keys.get(0);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.key().reveal(), "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad(organization, slot, place));
      byte[] sealed = cipher.doFinal(settings.reveal().getBytes(StandardCharsets.UTF_8));
      return JSON.createObjectNode().put("type", settings.type()).put("alg", "AES-256-GCM").put("keyId", key.id())
          .put("nonce", Base64.getEncoder().encodeToString(nonce))
          .put("ciphertext", Base64.getEncoder().encodeToString(sealed));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required of every Java platform", e);
    }
  }

  /**
   * The settings {@code sealed} holds, if they were sealed for exactly this place.
   *
   * @throws CorruptStateException if they are under a key not given, were altered, or belong elsewhere
   */
  public SettingsJson unseal(JsonNode sealed, OrganizationId organization, String slot, String place) {
    if (sealed == null || !sealed.isObject() || !sealed.path("keyId").isTextual() || !sealed.path("nonce").isTextual()
        || !sealed.path("ciphertext").isTextual()) {
      throw new CorruptStateException("sealed settings of " + slot + " " + place + " are not an object with keyId, nonce"
          + " and ciphertext", null);
    }
    String keyId = sealed.get("keyId").asText();
    StateKey key = keys.stream().filter(k -> k.id().equals(keyId)).findFirst().orElseThrow(() ->
        new CorruptStateException("settings are encrypted under state key '" + keyId + "', which is not among the keys"
            + " given " + keyIds() + ": supply it to read them", null));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.key().reveal(), "AES"),
          new GCMParameterSpec(128, Base64.getDecoder().decode(sealed.get("nonce").asText())));
      cipher.updateAAD(aad(organization, slot, place));
      byte[] plain = cipher.doFinal(Base64.getDecoder().decode(sealed.get("ciphertext").asText()));
      return SettingsJson.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new CorruptStateException("settings under state key '" + keyId + "' do not decrypt: the key is not the one"
          + " they were written with, or they were altered or moved from another place", e);
    }
  }

  private static byte[] aad(OrganizationId organization, String slot, String place) {
    return (AAD_PREFIX + organization.value() + "|" + slot + "|" + place).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SettingsSealer{AES-256-GCM, keys=" + keyIds() + "}";
  }
}
