package org.binarybackends.activation;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.SharedNotes;

/**
 * The compare-and-set of one note on an organization's notes, as every {@link NoteStore} applies it:
 * the name and value checked, the version compared, the cap of {@link NoteStore#MAX_NOTES} kept. Part
 * of the store SPI, with {@link StateCodec} and {@link SettingsSealer}: a store reads the
 * organization's notes under its own lock, applies this, and writes what changed.
 */
public final class NoteMaps {
  private NoteMaps() {}

  /**
   * {@code notes} with the note {@code name} set to {@code value} (removed if empty), if its version
   * is {@code expectedVersion} (0: absent).
   *
   * @throws StateConflictException if it is not
   */
  public static TreeMap<String, NoteStore.Note> apply(Map<String, NoteStore.Note> notes, OrganizationId organization,
      String name, long expectedVersion, Optional<String> value) {
    SharedNotes.check(name, value);
    NoteStore.Note current = notes.get(name);
    long actual = current == null ? 0 : current.version();
    if (actual != expectedVersion) {
      throw StateConflictException.ofNote(organization, name, expectedVersion, actual);
    }
    TreeMap<String, NoteStore.Note> next = new TreeMap<>(notes);
    if (value.isEmpty()) {
      next.remove(name);
      return next;
    }
    if (current == null && notes.size() >= NoteStore.MAX_NOTES) {
      throw InvalidInputException.of("name", name, "a note among at most " + NoteStore.MAX_NOTES
          + " per organization; this one would be the " + (NoteStore.MAX_NOTES + 1) + "th");
    }
    next.put(name, new NoteStore.Note(value.get(), actual + 1));
    return next;
  }

  /** The notes of {@code notes} whose names start with {@code prefix}. */
  public static Map<String, NoteStore.Note> withPrefix(Map<String, NoteStore.Note> notes, String prefix) {
    TreeMap<String, NoteStore.Note> out = new TreeMap<>();
    notes.forEach((n, v) -> {
      if (n.startsWith(prefix)) {
        out.put(n, v);
      }
    });
    return out;
  }
}
