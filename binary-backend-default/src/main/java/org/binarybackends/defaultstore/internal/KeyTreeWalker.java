package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.StoredBinary;

/**
 * Walks an organization's directory depth-first and yields its binaries in UTF-8 byte order of
 * their keys, lazily: a directory is read (and its names sorted) only when the walk reaches it, and
 * subtrees outside the prefix or wholly before {@code startAfter} are never entered.
 *
 * <p>Entries of one directory are ordered by the bytes their names decode to, a file before a
 * directory with the same bytes; since every key below {@code d<chunk>} extends that chunk, this is
 * the byte order of the keys (see {@link KeyPaths}). Not thread-safe.
 */
final class KeyTreeWalker implements Iterator<StoredBinary> {
  private static final Comparator<Entry> ORDER = (a, b) -> {
    int c = Arrays.compareUnsigned(a.bytes, b.bytes);
    return c != 0 ? c : Boolean.compare(a.directory, b.directory);
  };

  private final byte[] prefix;
  private final byte[] startAfter;
  private final BiFunction<ObjectKey, Path, StoredBinary> reader;
  private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
  private StoredBinary next;

  /**
   * @param organizationDirectory the directory to walk; may not exist (no binaries)
   * @param prefix only keys starting with these bytes
   * @param startAfter only keys ordered after these bytes, or {@code null}
   * @param reader reads a file's binary; {@code null} if it vanished meanwhile
   */
  KeyTreeWalker(Path organizationDirectory, byte[] prefix, byte[] startAfter,
      BiFunction<ObjectKey, Path, StoredBinary> reader) {
    this.prefix = prefix;
    this.startAfter = startAfter;
    this.reader = reader;
    push(organizationDirectory, new byte[0]);
  }

  private void push(Path dir, byte[] accumulated) {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        String name = p.getFileName().toString();
        if (name.length() < 2 || name.charAt(0) != KeyPaths.FILE && name.charAt(0) != KeyPaths.DIRECTORY) {
          continue; // not ours
        }
        byte[] chunk = KeyPaths.unescape(name.substring(1));
        if (chunk == null) {
          continue;
        }
        boolean directory = name.charAt(0) == KeyPaths.DIRECTORY;
        if (directory && chunk.length != KeyPaths.CHUNK_BYTES || Files.isSymbolicLink(p)) {
          continue; // not written by us: never follow it
        }
        byte[] bytes = concat(accumulated, chunk);
        if (wanted(bytes, directory)) {
          entries.add(new Entry(p, bytes, directory));
        }
      }
    } catch (NoSuchFileException e) {
      return; // nothing stored, or removed meanwhile
    } catch (IOException e) {
      throw new BackendUnavailableException("listing " + dir + " failed: " + e, true, e);
    }
    entries.sort(ORDER);
    stack.push(entries.iterator());
  }

  /** Whether an entry can hold keys of the listing: under the prefix, not wholly before startAfter. */
  private boolean wanted(byte[] bytes, boolean directory) {
    int common = Math.min(bytes.length, prefix.length);
    if (Arrays.compare(bytes, 0, common, prefix, 0, common) != 0) {
      return false;
    }
    if (!directory && bytes.length < prefix.length) {
      return false;
    }
    if (startAfter == null) {
      return true;
    }
    if (!directory) {
      return Arrays.compareUnsigned(bytes, startAfter) > 0;
    }
    // every key below the directory extends `bytes` and is longer
    int n = Math.min(bytes.length, startAfter.length);
    int c = Arrays.compareUnsigned(bytes, 0, n, startAfter, 0, n);
    return c >= 0;
  }

  @Override
  public boolean hasNext() {
    while (next == null && !stack.isEmpty()) {
      Iterator<Entry> top = stack.peek();
      if (!top.hasNext()) {
        stack.pop();
        continue;
      }
      Entry e = top.next();
      if (e.directory) {
        push(e.path, e.bytes);
      } else if (Files.isRegularFile(e.path, LinkOption.NOFOLLOW_LINKS)) {
        ObjectKey key;
        try {
          key = ObjectKey.ofUtf8(e.bytes);
        } catch (InvalidInputException notAKey) {
          continue; // a name no put writes: not ours
        }
        next = reader.apply(key, e.path);
      }
    }
    return next != null;
  }

  @Override
  public StoredBinary next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    StoredBinary result = next;
    next = null;
    return result;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private record Entry(Path path, byte[] bytes, boolean directory) {}
}
