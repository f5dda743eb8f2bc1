package org.binarybackends.testkit;

import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStateStore;

class InMemoryNoteStoreContractTest extends NoteStoreContract {
  @Override
  protected OrganizationStateStore createStore() {
    return new InMemoryStateStore();
  }
}
