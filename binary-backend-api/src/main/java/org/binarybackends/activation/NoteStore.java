package org.binarybackends.activation;

import java.util.Map;
import java.util.Optional;
import org.binarybackends.OrganizationId;

/**
 * Where backends' shared notes live, apart from the organizations' activation states: a note is
 * small, per organization and name, and changes on the download path (a CloudFront backend records
 * how far its URLs reach), so an update writes that note alone, never the organization's state with
 * its sealed settings. Updates are versioned compare-and-set, as the state's are. {@link #asSharedNotes()}
 * gives backends {@link org.binarybackends.spi.SharedNotes} over one. Implementations are thread-safe.
 *
 * <p>The contract is tested by {@code NoteStoreContract} in the testkit; every state store the
 * library ships implements this too.
 */
public interface NoteStore {
  /** The most notes one organization keeps. */
  int MAX_NOTES = 256;

  /** The note {@code name} of {@code organization} with its version, if one is kept. */
  Optional<Note> get(OrganizationId organization, String name);

  /** Every note of {@code organization} whose name starts with {@code prefix}, by name, in one read. */
  Map<String, Note> list(OrganizationId organization, String prefix);

  /**
   * Sets the note {@code name} to {@code value} (empty: removes it) if its stored version is still
   * {@code expectedVersion} (0: none kept), atomically and durably.
   *
   * @return the note as kept (version {@code expectedVersion + 1}), or empty if removed
   * @throws StateConflictException if the stored version is another; nothing was changed
   * @throws org.binarybackends.InvalidInputException if it would be a note beyond {@link #MAX_NOTES}
   */
  Optional<Note> compareAndSet(OrganizationId organization, String name, long expectedVersion, Optional<String> value);

  /**
   * The backends' view of these notes ({@link org.binarybackends.spi.SharedNotes}): what {@link
   * org.binarybackends.BinaryBackends} gives its backends, and what a service building a backend
   * itself puts in its context. An update is a compare-and-set of that one note, recomputed after a
   * conflict with another instance.
   */
  default org.binarybackends.spi.SharedNotes asSharedNotes() {
    return new org.binarybackends.activation.internal.StoredNotes(this);
  }

  /**
   * One note and its version.
   *
   * @param value what it holds (not a secret: notes are kept in clear)
   * @param version 1 when created, one more at each change
   */
  record Note(String value, long version) {
    public Note {
      java.util.Objects.requireNonNull(value, "value");
      if (version < 1) {
        throw new IllegalArgumentException("version " + version + " < 1");
      }
    }
  }
}
