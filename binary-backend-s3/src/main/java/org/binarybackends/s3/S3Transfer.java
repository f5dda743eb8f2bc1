package org.binarybackends.s3;

import java.util.OptionalLong;
import org.binarybackends.InvalidInputException;

/**
 * How binaries move to and from S3, shared by every organization (give it through the
 * {@link org.binarybackends.spi.BackendContext}, {@code .service(S3Transfer.class, ...)}; else
 * {@link #defaults()}).
 *
 * <p>A binary up to {@code partSize} goes in one PUT; a longer one in a multipart upload of parts of
 * {@code partSize}, {@code partsInFlight} of them at once, so one upload holds at most
 * {@code partsInFlight × partSize} bytes in memory (32 MiB by default). When the length is known,
 * the part size grows to {@code ceil(length / 10,000)} if that is larger, so that 10,000 parts suffice;
 * when it is not, the part size doubles every 1,000 parts (after 8 GB with the defaults), which fits
 * 10,000 parts up to about 6 TiB — and memory grows with the part size: give the length of large
 * binaries when it is known.
 *
 * @param partSize bytes per part: 5 MiB (S3's smallest) to 2,047 MiB (S3 allows 5 GiB, but a part is
 *     held in one Java array); the last part may be smaller
 * @param partsInFlight parts uploaded at once by one upload: 1 to 64
 * @param singleCopyLimit the longest binary a server-side copy (a migration's, between two buckets
 *     of one role) copies in one {@code CopyObject}: 5 MiB to 5 GiB (S3's limit, the default); a longer
 *     one is copied in {@code UploadPartCopy} parts of {@code partSize}, {@code partsInFlight} at once
 *     (faster for large binaries, as the AWS CLI does, but S3 then gives no SHA-256 of the whole copy:
 *     it is read back to be verified)
 */
public record S3Transfer(long partSize, int partsInFlight, long singleCopyLimit) {
  /** S3's smallest part (except the last). */
  public static final long MIN_PART = 5L << 20;
  /** The largest part this library uploads: one Java array (S3 itself allows 5 GiB). */
  public static final long MAX_PART = 2047L << 20;
  /** S3's most parts in one upload. */
  public static final int MAX_PARTS = 10_000;
  private static final int PARTS_PER_SIZE = 1_000;
  /** S3's longest object one {@code CopyObject} copies. */
  public static final long MAX_SINGLE_COPY = 5L << 30;

  /** Parts of {@code partSize}, {@code partsInFlight} at once; copies in one request up to 5 GiB. */
  public S3Transfer(long partSize, int partsInFlight) {
    this(partSize, partsInFlight, MAX_SINGLE_COPY);
  }

  public S3Transfer {
    if (partSize < MIN_PART || partSize > MAX_PART) {
      throw InvalidInputException.of("partSize", Long.toString(partSize), "5 MiB (5242880) to 2047 MiB (2146435072) bytes");
    }
    if (partsInFlight < 1 || partsInFlight > 64) {
      throw InvalidInputException.of("partsInFlight", Integer.toString(partsInFlight), "1 to 64");
    }
    if (singleCopyLimit < MIN_PART || singleCopyLimit > MAX_SINGLE_COPY) {
      throw InvalidInputException.of("singleCopyLimit", Long.toString(singleCopyLimit),
          "5 MiB (5242880) to 5 GiB (5368709120) bytes (S3's longest single copy)");
    }
  }

  /** These, copying binaries longer than {@code bytes} in parts (see {@link #singleCopyLimit()}). */
  public S3Transfer withSingleCopyLimit(long bytes) {
    return new S3Transfer(partSize, partsInFlight, bytes);
  }

  /** 8 MiB parts, 4 at once. */
  public static S3Transfer defaults() {
    return new S3Transfer(8L << 20, 4);
  }

  /** The size of part {@code number} (1-based) of a binary of {@code length} bytes, if known. */
  long partSize(int number, OptionalLong length) {
    if (length.isPresent()) {
      long needed = (length.getAsLong() + MAX_PARTS - 1) / MAX_PARTS;
      long mib = (Math.max(partSize, needed) + (1 << 20) - 1) >> 20 << 20;
      return Math.min(MAX_PART, mib);
    }
    int doublings = Math.min(30, (number - 1) / PARTS_PER_SIZE);
    return Math.min(MAX_PART, partSize << doublings);
  }
}
