package org.binarybackends.defaultstore.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;

/**
 * Maps organizations and keys to file names, and back.
 *
 * <p>S3 allows keys of 1,024 bytes, and both {@code a} and {@code a/b}; a filesystem allows neither
 * (255-byte names, a file is not a folder), may ignore case, and reserves names such as {@code ..}.
 * So a key's UTF-8 bytes are cut into chunks of {@value #CHUNK_BYTES} bytes; every chunk but the
 * last becomes a directory named {@code d<chunk>}, the last a file named {@code f<chunk>}. Each chunk
 * is escaped: {@code a-z 0-9 . _ -} stay as they are, every other byte becomes {@code %xx} (lower
 * case). The worst case, 80 escaped bytes, is 241 characters.
 *
 * <p>Properties this gives, each tested: every valid key maps to a path; the mapping is injective
 * even on a case-insensitive filesystem (no upper-case letter is ever written); no name is
 * {@code .}, {@code ..}, empty, or contains a separator, so no key leaves its organization's
 * directory; the mapping is reversible, so a listing returns the original keys; and all keys under
 * a directory {@code d<chunk>} share that chunk as a prefix, so a depth-first walk that orders
 * entries by their decoded bytes (a file before a directory with the same bytes) yields keys in
 * UTF-8 byte order.
 */
public final class KeyPaths {
  static final int CHUNK_BYTES = 80;
  static final char FILE = 'f';
  static final char DIRECTORY = 'd';
  private static final char ORGANIZATION = 'o';
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private KeyPaths() {}

  /** The directory of {@code organization} under the objects directory. */
  static Path organizationDirectory(Path objects, OrganizationId organization) {
    byte[] bytes = organization.value().getBytes(StandardCharsets.US_ASCII);
    return objects.resolve(ORGANIZATION + escape(bytes, 0, bytes.length));
  }

  /** The file holding {@code key} under the organization's directory. */
  static Path file(Path organizationDirectory, ObjectKey key) {
    byte[] utf8 = key.utf8();
    Path path = organizationDirectory;
    int start = 0;
    while (utf8.length - start > CHUNK_BYTES) {
      path = path.resolve(DIRECTORY + escape(utf8, start, start + CHUNK_BYTES));
      start += CHUNK_BYTES;
    }
    return path.resolve(FILE + escape(utf8, start, utf8.length));
  }

  static String escape(byte[] bytes, int from, int to) {
    StringBuilder out = new StringBuilder((to - from) * 3);
    for (int i = from; i < to; i++) {
      int b = bytes[i] & 0xff;
      if (isLiteral(b)) {
        out.append((char) b);
      } else {
        out.append('%').append(HEX[b >>> 4]).append(HEX[b & 0xf]);
      }
    }
    return out.toString();
  }

  private static boolean isLiteral(int b) {
    return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-';
  }

  /**
   * The bytes a name (without its kind letter) stands for, or {@code null} if the name is not one
   * this class writes: anything else found in the tree (a stray file, a temp file) is ignored.
   */
  static byte[] unescape(String escaped) {
    byte[] out = new byte[escaped.length()];
    int n = 0;
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c == '%') {
        if (i + 2 >= escaped.length()) {
          return null;
        }
        int hi = lowerHex(escaped.charAt(i + 1));
        int lo = lowerHex(escaped.charAt(i + 2));
        if (hi < 0 || lo < 0 || isLiteral(hi << 4 | lo)) {
          return null; // a literal byte written escaped is not our encoding: keep the mapping one-to-one
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else if (c < 0x80 && isLiteral(c)) {
        out[n++] = (byte) c;
      } else {
        return null;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static int lowerHex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }
}
