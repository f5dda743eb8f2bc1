package org.binarybackends;

import java.util.Objects;

/**
 * Where a binary's bytes are: the backend instance that holds them, the organization and the key.
 * Stored with every binary, so that it stays readable from there whatever configuration is active
 * later.
 *
 * @param instance the configuration holding the bytes
 * @param organization the organization owning them
 * @param key the key within the organization
 */
public record BinaryLocation(BackendInstanceId instance, OrganizationId organization, ObjectKey key) {
  public BinaryLocation {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(key, "key");
  }

  @Override
  public String toString() {
    return instance + "/" + organization + "/" + key;
  }
}
