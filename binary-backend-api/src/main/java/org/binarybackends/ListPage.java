package org.binarybackends;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing, in UTF-8 byte order of the keys.
 *
 * @param binaries the binaries of this page, at most the page size asked for
 * @param next the request for the following page, empty when this is the last
 */
public record ListPage(List<ListedBinary> binaries, Optional<ListRequest> next) {
  public ListPage {
    binaries = List.copyOf(binaries);
    Objects.requireNonNull(next, "next");
  }

  /**
   * The page answering {@code request} with {@code binaries}, followed by another page when
   * {@code more} is true.
   */
  public static ListPage of(ListRequest request, List<ListedBinary> binaries, boolean more) {
    if (more && binaries.isEmpty()) {
      throw new IllegalArgumentException("a page followed by another must not be empty");
    }
    return new ListPage(binaries, more ? Optional.of(request.next(binaries.get(binaries.size() - 1).key()))
        : Optional.empty());
  }
}
