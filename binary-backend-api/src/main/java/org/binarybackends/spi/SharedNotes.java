package org.binarybackends.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;

/**
 * Small values a backend keeps for one organization and shares with every service instance that
 * serves it: a CloudFront backend's latest URL expiry per signing key, say, so that any instance can
 * tell when a rotated-out key may be removed. Not for binaries or secrets.
 *
 * <p>The embedding service provides them through the context
 * ({@code BackendContext.builder().service(SharedNotes.class, notes)}), usually
 * {@link org.binarybackends.activation.NoteStore#asSharedNotes()}, kept in a state store's notes; a backend
 * given none keeps them in its process with {@link #inProcess()}. Implementations are thread-safe.
 */
public interface SharedNotes {
  /** Note names: letters, digits and {@code . _ : / -}, 1 to 200 characters. */
  Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1,200}");
  /** The longest value, in characters. */
  int MAX_VALUE = 1024;

  /** The note {@code name} of {@code organization}, if one is kept. */
  Optional<String> get(OrganizationId organization, String name);

  /** Every note of {@code organization} whose name starts with {@code prefix}, by name, in one read. */
  Map<String, String> list(OrganizationId organization, String prefix);

  /**
   * Replaces the note {@code name} by {@code change} of its current value, atomically with respect to
   * every instance sharing the notes (recomputed on the fresh value after a conflict); an empty result
   * removes it.
   *
   * @return the value kept afterwards
   * @throws InvalidInputException for a bad name, a value over {@value #MAX_VALUE} characters, or a
   *     new note beyond the store's limit (a NoteStore keeps 256 per organization)
   */
  Optional<String> update(OrganizationId organization, String name, UnaryOperator<Optional<String>> change);

  /** Checks a name and a value; for implementations. */
  static void check(String name, Optional<String> value) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw InvalidInputException.of("name", name, "letters, digits and . _ : / -, 1 to 200 characters");
    }
    if (value.isPresent() && value.get().length() > MAX_VALUE) {
      throw new InvalidInputException(List.of(Violation.of("value", value.get().length() + " characters",
          "at most " + MAX_VALUE + " characters")));
    }
  }

  /** Notes kept in this process only: for one service instance, or tests. */
  static SharedNotes inProcess() {
    ConcurrentHashMap<String, String> notes = new ConcurrentHashMap<>();
    return new SharedNotes() {
      @Override
      public Optional<String> get(OrganizationId organization, String name) {
        return Optional.ofNullable(notes.get(organization.value() + "\n" + name));
      }

      @Override
      public Map<String, String> list(OrganizationId organization, String prefix) {
        String key = organization.value() + "\n" + prefix;
        Map<String, String> out = new TreeMap<>();
        notes.forEach((k, v) -> {
          if (k.startsWith(key)) {
            out.put(k.substring(organization.value().length() + 1), v);
          }
        });
        return out;
      }

      @Override
      public Optional<String> update(OrganizationId organization, String name, UnaryOperator<Optional<String>> change) {
        Objects.requireNonNull(change, "change");
        check(name, Optional.empty());
        return Optional.ofNullable(notes.compute(organization.value() + "\n" + name, (k, old) -> {
          Optional<String> next = change.apply(Optional.ofNullable(old));
          check(name, next);
          return next.orElse(null);
        }));
      }

      @Override
      public String toString() {
        return "SharedNotes{in process, " + notes.size() + " notes}";
      }
    };
  }
}
