package org.binarybackends.testkit.s3;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Makes S3Proxy's filesystem store hold any set of keys S3 holds. That store maps a key to a path,
 * so {@code fw/a.bin} and {@code fw/a.bin/more} cannot both exist (a file cannot be a directory), and
 * a key of 1,024 bytes exceeds a file name's 255. Here each object is stored flat under the SHA-256
 * of its key, and listings are answered from an index of the real keys in UTF-8 byte order, as S3
 * lists them (prefix, start-after, continuation, max-keys and delimiter). The index lives in memory:
 * the store is for one run of the tests.
 */
final class FlatKeyBlobStore extends ForwardingBlobStore {
  private final Map<String, NavigableSet<String>> keys = new ConcurrentHashMap<>();
  private final Map<String, String> originals = new ConcurrentHashMap<>();

  FlatKeyBlobStore(BlobStore delegate) {
    super(delegate);
  }

  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private NavigableSet<String> index(String bucket) {
    return keys.computeIfAbsent(bucket, b -> new ConcurrentSkipListSet<>(FlatKeyBlobStore::compareUtf8));
  }

  private String flat(String key) {
    if (key == null) {
      return null;
    }
    try {
      String name = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(StandardCharsets.UTF_8)));
      originals.putIfAbsent(name, key);
      return name;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private MultipartUpload flat(MultipartUpload upload) {
    return new MultipartUpload(upload.id(), upload.request().toBuilder().key(flat(upload.blobName())).build(),
        upload.response());
  }

  @Override
  public boolean blobExists(String container, String name) {
    return delegate().blobExists(container, flat(name));
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream in) {
    PutObjectResponse r = delegate().putBlob(request.toBuilder().key(flat(request.key())).build(), in);
    index(request.bucket()).add(request.key());
    return r;
  }

  @Override
  public CopyObjectResponse copyBlob(CopyObjectRequest request) {
    CopyObjectResponse r = delegate().copyBlob(request.toBuilder().sourceKey(flat(request.sourceKey()))
        .destinationKey(flat(request.destinationKey())).build());
    index(request.destinationBucket()).add(request.destinationKey());
    return r;
  }

  @Override
  public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
    return delegate().blobMetadata(request.toBuilder().key(flat(request.key())).build());
  }

  @Override
  public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
    return delegate().getBlob(request.toBuilder().key(flat(request.key())).build());
  }

  @Override
  public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
    DeleteObjectResponse r = delegate().removeBlob(request.toBuilder().key(flat(request.key())).build());
    index(request.bucket()).remove(request.key());
    return r;
  }

  @Override
  public ObjectCannedACL getBlobAccess(String container, String name) {
    return delegate().getBlobAccess(container, flat(name));
  }

  @Override
  public ObjectCannedACL getBlobAccess(String container, String name, String versionId) {
    return delegate().getBlobAccess(container, flat(name), versionId);
  }

  @Override
  public void setBlobAccess(String container, String name, ObjectCannedACL access) {
    delegate().setBlobAccess(container, flat(name), access);
  }

  @Override
  public void setBlobAccess(String container, String name, ObjectCannedACL access, String versionId) {
    delegate().setBlobAccess(container, flat(name), access, versionId);
  }

  @Override
  public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
    MultipartUpload u = delegate().initiateMultipartUpload(request.toBuilder().key(flat(request.key())).build());
    return new MultipartUpload(u.id(), u.request().toBuilder().key(request.key()).build(), u.response());
  }

  @Override
  public void abortMultipartUpload(MultipartUpload upload) {
    delegate().abortMultipartUpload(flat(upload));
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
      CompleteMultipartUploadRequest request) {
    CompleteMultipartUploadResponse r = delegate().completeMultipartUpload(flat(upload),
        request.toBuilder().key(flat(request.key())).build());
    index(upload.containerName()).add(upload.blobName());
    return r.toBuilder().key(upload.blobName()).build();
  }

  @Override
  public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream in) {
    return delegate().uploadMultipartPart(flat(upload), request.toBuilder().key(flat(request.key())).build(), in);
  }

  @Override
  public List<Part> listMultipartUpload(MultipartUpload upload) {
    return delegate().listMultipartUpload(flat(upload));
  }

  @Override
  public List<software.amazon.awssdk.services.s3.model.MultipartUpload> listMultipartUploads(String container) {
    List<software.amazon.awssdk.services.s3.model.MultipartUpload> out = new ArrayList<>();
    for (var u : delegate().listMultipartUploads(container)) {
      out.add(u.toBuilder().key(originals.getOrDefault(u.key(), u.key())).build());
    }
    return out;
  }

  @Override
  public ListObjectsV2Response list(ListObjectsV2Request request) {
    String prefix = request.prefix() == null ? "" : request.prefix();
    String after = request.continuationToken() != null ? request.continuationToken() : request.startAfter();
    String delimiter = request.delimiter() == null || request.delimiter().isEmpty() ? null : request.delimiter();
    int max = request.maxKeys() == null ? 1000 : request.maxKeys();
    NavigableSet<String> all = index(request.bucket());
    NavigableSet<String> tail = after == null || after.isEmpty() ? all : all.tailSet(after, false);
    List<S3Object> contents = new ArrayList<>();
    List<CommonPrefix> prefixes = new ArrayList<>();
    String last = null;
    boolean truncated = false;
    for (String key : tail) {
      if (compareUtf8(key, prefix) < 0 || !key.startsWith(prefix)) {
        if (compareUtf8(key, prefix) > 0 && !key.startsWith(prefix)) {
          break;
        }
        continue;
      }
      if (contents.size() + prefixes.size() == max) {
        truncated = true;
        break;
      }
      int cut = delimiter == null ? -1 : key.indexOf(delimiter, prefix.length());
      if (cut >= 0) {
        String common = key.substring(0, cut + delimiter.length());
        if (prefixes.isEmpty() || !prefixes.get(prefixes.size() - 1).prefix().equals(common)) {
          prefixes.add(CommonPrefix.builder().prefix(common).build());
        }
        last = key;
        continue;
      }
      HeadObjectResponse head;
      try {
        head = blobMetadata(HeadObjectRequest.builder().bucket(request.bucket()).key(key).build());
      } catch (RuntimeException e) {
        continue; // removed meanwhile
      }
      contents.add(S3Object.builder().key(key).size(head.contentLength()).eTag(head.eTag())
          .lastModified(head.lastModified()).storageClass("STANDARD").build());
      last = key;
    }
    return ListObjectsV2Response.builder().name(request.bucket()).prefix(request.prefix()).maxKeys(max)
        .delimiter(request.delimiter()).startAfter(request.startAfter())
        .continuationToken(request.continuationToken()).contents(contents).commonPrefixes(prefixes)
        .keyCount(contents.size() + prefixes.size()).isTruncated(truncated)
        .nextContinuationToken(truncated ? last : null).build();
  }
}
