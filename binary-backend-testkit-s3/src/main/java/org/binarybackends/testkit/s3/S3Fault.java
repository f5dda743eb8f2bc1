package org.binarybackends.testkit.s3;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the embedded S3 server's front door does instead of forwarding a request: answer with one
 * of S3's real error documents, cut the connection in the middle of a body, or stop reading a body
 * (stall), or read it slowly. Immutable.
 */
public final class S3Fault {
  enum Kind { RESPOND, CUT_REQUEST, CUT_RESPONSE, CORRUPT_REQUEST, CORRUPT_RESPONSE, STALL_REQUEST, SLOW_REQUEST,
    WRONG_COPY_CHECKSUM }

  final Kind kind;
  final int status;
  final String code;
  final String message;
  final Map<String, String> headers;
  /** The bytes after which it cuts, corrupts or stalls; for {@link Kind#SLOW_REQUEST}, the bytes per second. */
  final long afterBytes;

  private S3Fault(Kind kind, int status, String code, String message, Map<String, String> headers, long afterBytes) {
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.message = message;
    this.headers = Map.copyOf(headers);
    this.afterBytes = afterBytes;
  }

  /** An S3 error document: {@code <Error><Code>code</Code><Message>message</Message>...}. */
  public static S3Fault error(int status, String code, String message, Map<String, String> headers) {
    return new S3Fault(Kind.RESPOND, status, Objects.requireNonNull(code), Objects.requireNonNull(message), headers, 0);
  }

  /**
   * A {@code CopyObject} made, but answered with the SHA-256 of other bytes than the copy's: as S3
   * would answer if the bytes it read at the source were not those their digest was recorded for.
   * (The server answers a copy's SHA-256 when asked; see {@link EmbeddedS3#answerCopyChecksums}.)
   */
  public static S3Fault wrongCopyChecksum() {
    return new S3Fault(Kind.WRONG_COPY_CHECKSUM, 200, "", "", Map.of(), 0);
  }

  /** 403 {@code AccessDenied}, as S3 answers a permission the role lacks. */
  public static S3Fault accessDenied() {
    return error(403, "AccessDenied", "Access Denied", Map.of());
  }

  /** 403 {@code AccessDenied} naming a KMS action, as S3 answers when the key's policy refuses the role. */
  public static S3Fault kmsAccessDenied(String roleSessionArn, String kmsKeyArn, String action) {
    return error(403, "AccessDenied", "User: " + roleSessionArn + " is not authorized to perform: " + action
        + " on resource: " + kmsKeyArn + " because no identity-based policy allows the " + action + " action",
        Map.of());
  }

  /** 301 {@code PermanentRedirect} with {@code x-amz-bucket-region}: the bucket is in another region. */
  public static S3Fault permanentRedirect(String bucket, String realRegion) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("x-amz-bucket-region", realRegion);
    return error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the "
        + "specified endpoint. Please send all future requests to this endpoint.", h);
  }

  /** 400 {@code AuthorizationHeaderMalformed}: the request was signed for another region than the bucket's. */
  public static S3Fault authorizationHeaderMalformed(String signedRegion, String realRegion) {
    return error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '"
        + signedRegion + "' is wrong; expecting '" + realRegion + "'", Map.of("x-amz-bucket-region", realRegion));
  }

  /** 503 {@code SlowDown}: S3 throttling. */
  public static S3Fault slowDown() {
    return error(503, "SlowDown", "Please reduce your request rate.", Map.of());
  }

  /** 404 {@code NoSuchBucket}. */
  public static S3Fault noSuchBucket() {
    return error(404, "NoSuchBucket", "The specified bucket does not exist", Map.of());
  }

  /** Forwards the request, but resets the connection after {@code bytes} of its body went upstream. */
  public static S3Fault cutRequestBodyAfter(long bytes) {
    return new S3Fault(Kind.CUT_REQUEST, 0, null, null, Map.of(), bytes);
  }

  /**
   * Forwards the request with one byte of its body flipped, at {@code offset} bytes into the body as
   * sent (past a chunk header, for a body sent in aws-chunked encoding): what a faulty network or
   * disk would do. S3 must refuse the bytes by their checksum.
   */
  public static S3Fault corruptRequestBodyAt(long offset) {
    return new S3Fault(Kind.CORRUPT_REQUEST, 0, null, null, Map.of(), offset);
  }

  /**
   * Forwards S3's answer with one byte of its body flipped, at {@code offset} bytes into the body: a
   * download corrupted on the way, which the client must notice by the binary's digest (S3 sent it
   * right, with its headers; nothing checks a plain GET's body on the way).
   */
  public static S3Fault corruptResponseBodyAt(long offset) {
    return new S3Fault(Kind.CORRUPT_RESPONSE, 0, null, null, Map.of(), offset);
  }

  /**
   * Takes {@code bytes} of the request's body, then reads no more of it and never answers, keeping
   * the connection open (until the server closes, or two minutes): a server that stopped reading,
   * on which a client's write blocks once the socket buffers are full.
   */
  public static S3Fault stallRequestBodyAfter(long bytes) {
    return new S3Fault(Kind.STALL_REQUEST, 0, null, null, Map.of(), bytes);
  }

  /**
   * Forwards the request, reading its body at {@code bytesPerSecond} on average (in slices of a
   * tenth of a second's worth): a slow but steady link, which must not be taken for a stalled one.
   */
  public static S3Fault slowRequestBody(long bytesPerSecond) {
    if (bytesPerSecond < 10) {
      throw new IllegalArgumentException("at least 10 bytes per second");
    }
    return new S3Fault(Kind.SLOW_REQUEST, 0, null, null, Map.of(), bytesPerSecond);
  }

  /** Forwards the request, but resets the connection after {@code bytes} of the response's body. */
  public static S3Fault cutResponseBodyAfter(long bytes) {
    return new S3Fault(Kind.CUT_RESPONSE, 0, null, null, Map.of(), bytes);
  }

  @Override
  public String toString() {
    return kind == Kind.RESPOND ? status + " " + code
        : kind == Kind.SLOW_REQUEST ? kind + " at " + afterBytes + " bytes/s" : kind + " after " + afterBytes + " bytes";
  }
}
