package org.binarybackends.testkit;

import java.nio.file.Path;
import java.util.List;
import org.binarybackends.Secret;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.StateKey;
import org.junit.jupiter.api.io.TempDir;

class JsonFileNoteStoreContractTest extends NoteStoreContract {
  @TempDir
  Path dir;

  @Override
  protected OrganizationStateStore createStore() {
    return JsonFileStateStore.open(dir.resolve("state"), List.of(new StateKey("k1", Secret.ofBytes(new byte[32]))));
  }
}
