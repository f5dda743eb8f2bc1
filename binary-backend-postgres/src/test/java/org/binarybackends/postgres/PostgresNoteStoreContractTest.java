package org.binarybackends.postgres;

import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.testkit.NoteStoreContract;

class PostgresNoteStoreContractTest extends NoteStoreContract {
  @Override
  protected OrganizationStateStore createStore() {
    return PostgresFixture.store();
  }
}
