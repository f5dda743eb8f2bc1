package org.binarybackends;

/** Nothing is stored under the key asked for. */
public final class BinaryNotFoundException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final OrganizationId organization;
  private final ObjectKey key;

  public BinaryNotFoundException(BackendInstanceId instance, OrganizationId organization, ObjectKey key) {
    super("no binary " + key + " for organization " + organization + " in " + instance);
    this.organization = organization;
    this.key = key;
  }

  public OrganizationId organization() {
    return organization;
  }

  public ObjectKey key() {
    return key;
  }
}
