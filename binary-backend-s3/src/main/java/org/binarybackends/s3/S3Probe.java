package org.binarybackends.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.SignedUrl;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.VerificationReport;
import org.binarybackends.s3.S3Failures.Operation;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The verification of an organization's bucket, end to end, as the activation rule needs it: assume
 * both hops of the role chain, then put, get, list and delete a probe object (a new key per run under
 * {@code <prefix>.binary-backends/probes/}, never listed, removed even when a step fails), abort a
 * small multipart upload, and fetch the probe through a presigned GET on the platform's HTTP client.
 * Every failure becomes the diagnosis of {@link RoleChain} or {@link S3Failures}, with AWS's own words;
 * a refused abort (a customer who applied only the guide's four actions) is a warning, not a failure:
 * uploads work, and the lifecycle rule removes what an abort would have.
 */
final class S3Probe {
  private final S3Objects objects;
  private final String identityCheck;
  private final Supplier<String> identity;
  private final String principal;
  private final String partition;
  private final List<Check> checks = new ArrayList<>();

  /**
   * @param identityCheck the name of the first check: the credentials (the role chain's two hops, the
   *     platform's own credentials)
   * @param identity obtains them, saying what it got, or throws the diagnosis
   * @param principal who is denied what is denied, for the messages
   */
  S3Probe(S3Objects objects, String identityCheck, Supplier<String> identity, String principal, String partition) {
    this.objects = objects;
    this.identityCheck = identityCheck;
    this.identity = identity;
    this.principal = principal;
    this.partition = partition;
  }

  /** The probe of an organization's bucket through its role chain. */
  static S3Probe ofRoleChain(S3Objects objects, RoleChain chain, S3Settings settings) {
    return new S3Probe(objects, "assume-role", () -> {
      Credentials session = chain.probe();
      return "assumed " + chain.platformRoleArn() + ", then " + settings.roleArn() + " with external id "
          + settings.organization().value() + "; session until " + session.expiration();
    }, "the role " + settings.roleArn(), settings.roleArn().partition());
  }

  VerificationReport run() {
    String bucket = objects.bucket();
    try {
      checks.add(Check.passed(identityCheck, identity.get()));
    } catch (BinaryBackendException e) {
      checks.add(failed(identityCheck, e));
      for (String name : List.of("put-probe", "get-probe", "list-probe", "abort-multipart", "presigned-get",
          "delete-probe")) {
        checks.add(Check.skipped(name, "needs the credentials (" + identityCheck + ")"));
      }
      return report();
    }
    String key = objects.newProbeKey();
    byte[] content = ("binary-backends probe " + key).getBytes(StandardCharsets.UTF_8);
    boolean written = step("put-probe", "wrote s3://" + bucket + "/" + key, () -> objects.putProbe(key, content));
    try {
      if (!written) {
        for (String name : List.of("get-probe", "list-probe", "presigned-get")) {
          checks.add(Check.skipped(name, "needs the probe object"));
        }
      } else {
        step("get-probe", "read the probe back, bytes equal", () -> {
          byte[] back = objects.call(Operation.GET_OBJECT, () -> objects.s3.getObjectAsBytes(b -> b.bucket(bucket)
              .key(key))).asByteArray();
          if (!Arrays.equals(back, content)) {
            throw new BinaryBackendException("GetObject returned other bytes than were put (" + back.length
                + " bytes, expected " + content.length + ")");
          }
        });
        step("list-probe", "listed the probe", () -> {
          boolean listed = objects.call(Operation.LIST_OBJECTS, () -> objects.s3.listObjectsV2(b -> b.bucket(bucket)
              .prefix(key))).contents().stream().anyMatch(o -> o.key().equals(key));
          if (!listed) {
            throw new BinaryBackendException("ListObjectsV2 under " + key + " did not show the object just written");
          }
        });
        step("presigned-get", "fetched the probe through a presigned GET", () -> fetch(key, content));
      }
      abortMultipart(bucket, key + "-multipart");
    } finally {
      if (written) {
        try {
          objects.deleteProbe(key);
          checks.add(Check.passed("delete-probe", "deleted the probe"));
        } catch (BinaryBackendException e) {
          Check f = failed("delete-probe", e);
          checks.add(Check.failed("delete-probe", e.getMessage() + "; the probe s3://" + bucket + "/" + key
              + " (" + content.length + " bytes) is left behind: delete it by hand, or let a lifecycle rule on "
              + objects.root + ".binary-backends/probes/ expire it", f.retryable()));
        }
      } else {
        checks.add(Check.skipped("delete-probe", "nothing was written"));
      }
    }
    return report();
  }

  private void abortMultipart(String bucket, String key) {
    S3Objects.AbortDenied denied = objects.abortDenied;
    if (denied != null && denied.at().plus(ABORT_RETRY).isAfter(objects.clock.instant())) {
      checks.add(Check.warning("abort-multipart", denied.warning() + " (found at " + denied.at()
          + "; not tried again before " + denied.at().plus(ABORT_RETRY) + ", so as not to leave another upload)"));
      return;
    }
    String uploadId;
    try {
      uploadId = objects.createMultipartUpload(key, Map.of("purpose", "verification"));
    } catch (BinaryBackendException e) {
      checks.add(failed("abort-multipart", e));
      return;
    }
    try {
      objects.call(Operation.ABORT_MULTIPART_UPLOAD, () -> objects.s3.abortMultipartUpload(b -> b.bucket(bucket)
          .key(key).uploadId(uploadId)));
      objects.abortDenied = null;
      checks.add(Check.passed("abort-multipart", "created and aborted a multipart upload"));
    } catch (AccessDeniedException e) {
      String warning = "uploads work, but " + principal + " may not abort a multipart upload: a failed upload leaves its"
          + " parts (billed) until the bucket's AbortIncompleteMultipartUpload lifecycle rule removes them. Add"
          + " s3:AbortMultipartUpload on arn:" + partition + ":s3:::" + bucket + "/"
          + objects.root + "* to its policy, and keep the lifecycle rule. This check left one"
          + " empty multipart upload (no parts) at s3://" + bucket + "/" + key + ", upload id " + uploadId
          + ": the lifecycle rule removes it, or abort it once the permission is added. " + e.getMessage();
      objects.abortDenied = new S3Objects.AbortDenied(objects.clock.instant(), key, uploadId, warning);
      checks.add(Check.warning("abort-multipart", warning));
    } catch (BinaryBackendException e) {
      checks.add(failed("abort-multipart", e));
    }
  }

  /** How long verify trusts that the role may not abort before it creates another probe upload. */
  static final Duration ABORT_RETRY = Duration.ofDays(1);

  private void fetch(String key, byte[] content) {
    SignedUrl url = objects.presign(key, Duration.ofMinutes(5), objects.credentialsLasting(Duration.ofMinutes(5)));
    int status;
    byte[] body;
    Optional<String> bucketRegion;
    // on the platform's HTTP client, like every other request: its proxy, trust store and timeouts
    try {
      HttpExecuteResponse response = objects.http.prepareRequest(HttpExecuteRequest.builder()
          .request(SdkHttpRequest.builder().uri(url.uri()).method(SdkHttpMethod.GET).build()).build()).call();
      status = response.httpResponse().statusCode();
      bucketRegion = response.httpResponse().firstMatchingHeader("x-amz-bucket-region");
      try (InputStream in = response.responseBody().map(InputStream.class::cast).orElse(InputStream.nullInputStream())) {
        body = in.readNBytes(Math.max(content.length + 1, 8192)); // the probe, or an error document: small
      }
    } catch (IOException e) {
      throw new org.binarybackends.BackendUnavailableException("fetching the presigned probe URL "
          + url.redacted() + " failed: " + e.getMessage(), true, e);
    }
    if (status == 200 && Arrays.equals(body, content)) {
      return;
    }
    if (status == 200) {
      throw new BinaryBackendException("the presigned GET " + url.redacted() + " answered 200 with other bytes ("
          + body.length + ", expected " + content.length + ")");
    }
    // S3's answer to a presigned GET is classified as every other S3 answer is: throttling, 5xx and
    // an expired session are retryable, never a reason to degrade
    throw objects.failures.diagnose(Operation.GET_OBJECT, errorOf(status, body, bucketRegion));
  }

  private static final java.util.regex.Pattern XML_CODE = java.util.regex.Pattern.compile("<Code>([^<]{1,100})</Code>");
  private static final java.util.regex.Pattern XML_MESSAGE =
      java.util.regex.Pattern.compile("<Message>([^<]{0,500})</Message>");

  /**
   * S3's error document as the SDK would have surfaced it. Read with two patterns, not an XML
   * parser: the document is small and flat, and a parser would need DTDs and entities turned off
   * for a body that comes over the network.
   */
  private static software.amazon.awssdk.services.s3.model.S3Exception errorOf(int status, byte[] bytes,
      Optional<String> bucketRegion) {
    String body = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
    java.util.regex.Matcher code = XML_CODE.matcher(body);
    java.util.regex.Matcher message = XML_MESSAGE.matcher(body);
    software.amazon.awssdk.http.SdkHttpResponse.Builder http = software.amazon.awssdk.http.SdkHttpResponse.builder()
        .statusCode(status);
    bucketRegion.ifPresent(r -> http.putHeader("x-amz-bucket-region", r));
    String text = message.find() ? message.group(1) : "HTTP " + status + " to the presigned GET";
    return (software.amazon.awssdk.services.s3.model.S3Exception) software.amazon.awssdk.services.s3.model.S3Exception
        .builder().statusCode(status).message(text)
        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
            .errorCode(code.find() ? code.group(1) : "") .errorMessage(text).serviceName("S3")
            .sdkHttpResponse(http.build()).build())
        .build();
  }

  private interface Step {
    void run();
  }

  private boolean step(String name, String detail, Step step) {
    try {
      step.run();
      checks.add(Check.passed(name, detail));
      return true;
    } catch (BinaryBackendException e) {
      checks.add(failed(name, e));
      return false;
    }
  }

  private static Check failed(String name, BinaryBackendException e) {
    boolean retryable = e instanceof org.binarybackends.BackendUnavailableException
        && ((org.binarybackends.BackendUnavailableException) e).retryable();
    return Check.failed(name, e.getMessage(), retryable);
  }

  private VerificationReport report() {
    return new VerificationReport(objects.instanceId(), objects.clock.instant(), checks);
  }
}
