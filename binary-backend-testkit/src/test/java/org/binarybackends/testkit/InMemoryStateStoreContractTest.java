package org.binarybackends.testkit;

import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStateStore;

class InMemoryStateStoreContractTest extends OrganizationStateStoreContract {
  @Override
  protected OrganizationStateStore createStore() {
    return new InMemoryStateStore();
  }
}
