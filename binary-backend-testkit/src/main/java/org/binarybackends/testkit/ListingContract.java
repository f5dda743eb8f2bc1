package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.binarybackends.ListPage;
import org.binarybackends.ListedBinary;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.junit.jupiter.api.Test;

/**
 * The listing contract: lazy, paginated listings in the UTF-8 byte order of keys (as S3 lists them),
 * starting after a given key. Implemented by {@link BinaryBackendContract}.
 */
public interface ListingContract extends ContractSubject {
  @Test
  default void listingIsInUtf8ByteOrderNotUtf16Order() {
    // UTF-16 puts U+FFFD after U+1F600 (surrogates D83D < FFFD); UTF-8 puts it before (EF < F0)
    List<String> keys = List.of("\uD83D\uDE00", "\uFFFD", "a", "a-", "a/", "a0", "é", "Z", "_");
    keys.forEach(k -> putGenerated(k, 1, 1));
    assertThat(listedKeys(org(), "")).containsExactly("Z", "_", "a", "a-", "a/", "a0", "é", "\uFFFD", "\uD83D\uDE00");
  }

  @Test
  default void listingPaginatesOverMoreThanAThousandKeysInByteOrder() {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < 1050; i++) {
      keys.add(String.format("fw/%s/%04d%s", i % 3 == 0 ? "x" : "y", (i * 7919) % 1050, i % 5 == 0 ? "é" : ""));
    }
    keys.add("fx-after");
    keys.add("fw-before");
    keys.forEach(k -> backend().put(org(), ObjectKey.of(k), new ByteArrayInputStream(k.getBytes(StandardCharsets.UTF_8))));
    List<String> sorted = keys.stream().map(ObjectKey::of).sorted().map(ObjectKey::value).collect(Collectors.toList());

    ListPage first = backend().list(org(), ListRequest.all());
    assertThat(first.binaries()).hasSize(ListRequest.MAX_PAGE_SIZE);
    assertThat(first.next()).isPresent();
    ListPage second = backend().list(org(), first.next().get());
    assertThat(second.next()).isEmpty();
    List<String> paged = new ArrayList<>();
    first.binaries().forEach(b -> paged.add(b.key().value()));
    second.binaries().forEach(b -> paged.add(b.key().value()));
    assertThat(paged).containsExactlyElementsOf(sorted);

    assertThat(listedKeys(org(), "")).containsExactlyElementsOf(sorted);
    List<String> underX = sorted.stream().filter(k -> k.startsWith("fw/x/")).collect(Collectors.toList());
    assertThat(listedKeys(org(), "fw/x/")).containsExactlyElementsOf(underX);
    assertThat(listedKeys(org(), "fw/x/00")).containsExactlyElementsOf(
        underX.stream().filter(k -> k.startsWith("fw/x/00")).collect(Collectors.toList()));
    assertThat(listedKeys(org(), "nothing-here")).isEmpty();

    List<String> smallPages = new ArrayList<>();
    ListRequest request = ListRequest.builder().prefix("fw/y/").pageSize(7).build();
    for (int pages = 0; ; pages++) {
      ListPage page = backend().list(org(), request);
      assertThat(page.binaries().size()).isLessThanOrEqualTo(7);
      page.binaries().forEach(b -> smallPages.add(b.key().value()));
      if (page.next().isEmpty()) {
        break;
      }
      request = page.next().get();
      assertThat(pages).isLessThan(1050);
    }
    assertThat(smallPages).containsExactlyElementsOf(sorted.stream().filter(k -> k.startsWith("fw/y/")).collect(Collectors.toList()));
    ListedBinary one = backend().list(org(), "fx-after").findFirst().orElseThrow();
    assertThat(one.size()).isEqualTo("fx-after".length());
    assertThat(one.location()).isEqualTo(backend().stat(org(), one.key()).location());
    assertThat(one.storedAt()).isEqualTo(backend().stat(org(), one.key()).storedAt());
  }

  @Test
  default void listingStartsAfterTheGivenKey() {
    List.of("a", "b", "b/c", "c", "d").forEach(k -> putGenerated(k, 1, 1));
    ListPage page = backend().list(org(), ListRequest.builder().startAfter(ObjectKey.of("b")).build());
    assertThat(page.binaries()).extracting(b -> b.key().value()).containsExactly("b/c", "c", "d");
    ListPage none = backend().list(org(), ListRequest.builder().startAfter(ObjectKey.of("d")).build());
    assertThat(none.binaries()).isEmpty();
    assertThat(none.next()).isEmpty();
  }
}
