package org.binarybackends.defaultstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.junit.jupiter.api.Test;

class KeyPathsTest {
  private static final Path ORG = Path.of("/root/objects/oorg");

  /** Random valid keys: every length up to 1,024 bytes, ASCII of both cases, '%', '.', '/', and wide characters. */
  private static List<ObjectKey> randomKeys(int count, long seed) {
    Random random = new Random(seed);
    String alphabet = "aAbBzZ09._-%/ ~+é\u00df\u4e2d\uD83D\uDE00";
    List<ObjectKey> keys = new ArrayList<>();
    while (keys.size() < count) {
      int length = 1 + random.nextInt(random.nextBoolean() ? 20 : 700);
      StringBuilder sb = new StringBuilder();
      while (sb.length() < length) {
        int i = random.nextInt(alphabet.length());
        char c = alphabet.charAt(i);
        sb.append(c);
        if (Character.isHighSurrogate(c)) {
          sb.append(alphabet.charAt(i + 1));
        }
      }
      try {
        keys.add(ObjectKey.of(sb.toString()));
      } catch (RuntimeException tooLongOrDotSegment) {
        // not a valid key: draw again
      }
    }
    return keys;
  }

  @Test
  void everyNameIsAPortableFileNameOfAtMost255Bytes() {
    for (ObjectKey key : randomKeys(3000, 1)) {
      Path file = KeyPaths.file(ORG, key);
      for (Path name : ORG.relativize(file)) {
        String n = name.toString();
        assertThat(n.getBytes(StandardCharsets.UTF_8).length).isBetween(2, 255);
        assertThat(n).matches("[fd][a-z0-9._%-]+").isNotIn(".", "..");
      }
    }
    ObjectKey worst = ObjectKey.of("\u00ff".repeat(512));
    assertThat(KeyPaths.file(ORG, worst).getNameCount() - ORG.getNameCount()).isEqualTo(13);
  }

  @Test
  void theMappingIsOneToOneEvenWhenTheFilesystemIgnoresCase() {
    Map<String, ObjectKey> seen = new HashMap<>();
    List<ObjectKey> keys = new ArrayList<>(randomKeys(5000, 2));
    keys.addAll(List.of(ObjectKey.of("a"), ObjectKey.of("A"), ObjectKey.of("a/b"), ObjectKey.of("a%2Fb"),
        ObjectKey.of("a%2fb"), ObjectKey.of("x".repeat(80)), ObjectKey.of("x".repeat(80) + "y")));
    for (ObjectKey key : keys) {
      String folded = KeyPaths.file(ORG, key).toString().toLowerCase(Locale.ROOT);
      ObjectKey other = seen.putIfAbsent(folded, key);
      assertThat(other == null || other.equals(key)).as("%s and %s collide", key, other).isTrue();
    }
  }

  @Test
  void namesDecodeBackToTheKeyBytes() {
    for (ObjectKey key : randomKeys(2000, 3)) {
      Path relative = ORG.relativize(KeyPaths.file(ORG, key));
      List<Byte> decoded = new ArrayList<>();
      for (Path name : relative) {
        for (byte b : KeyPaths.unescape(name.toString().substring(1))) {
          decoded.add(b);
        }
      }
      byte[] out = new byte[decoded.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = decoded.get(i);
      }
      assertThat(ObjectKey.ofUtf8(out)).isEqualTo(key);
    }
  }

  @Test
  void namesNotWrittenByTheMappingDoNotDecode() {
    assertThat(KeyPaths.unescape("abc")).containsExactly('a', 'b', 'c');
    assertThat(KeyPaths.unescape("%41")).containsExactly(0x41);
    assertThat(KeyPaths.unescape("%61")).isNull(); // 'a' is written as itself, never escaped
    assertThat(KeyPaths.unescape("%4")).isNull();
    assertThat(KeyPaths.unescape("%4G")).isNull();
    assertThat(KeyPaths.unescape("%2F")).isNull(); // upper-case hex is never written
    assertThat(KeyPaths.unescape("A")).isNull();
    assertThat(KeyPaths.unescape("a b")).isNull();
  }

  @Test
  void organizationsGetDirectoriesThatDifferInMoreThanCase() {
    Path objects = Path.of("/root/objects");
    Path upper = KeyPaths.organizationDirectory(objects, OrganizationId.of("ORG"));
    Path lower = KeyPaths.organizationDirectory(objects, OrganizationId.of("org"));
    assertThat(upper.toString().toLowerCase(Locale.ROOT)).isNotEqualTo(lower.toString().toLowerCase(Locale.ROOT));
    assertThat(upper.getParent()).isEqualTo(objects);
    assertThat(KeyPaths.organizationDirectory(objects, OrganizationId.of("..")).getFileName().toString()).isEqualTo("o..");
  }
}
