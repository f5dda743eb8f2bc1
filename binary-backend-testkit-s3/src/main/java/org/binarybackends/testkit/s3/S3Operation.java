package org.binarybackends.testkit.s3;

/** The S3 operations a request can be, told apart as S3 does: by method, path and query. */
public enum S3Operation {
  PUT_OBJECT,
  GET_OBJECT,
  HEAD_OBJECT,
  DELETE_OBJECT,
  LIST_OBJECTS,
  HEAD_BUCKET,
  CREATE_MULTIPART_UPLOAD,
  UPLOAD_PART,
  COMPLETE_MULTIPART_UPLOAD,
  ABORT_MULTIPART_UPLOAD,
  LIST_PARTS,
  LIST_MULTIPART_UPLOADS,
  OTHER;

  static S3Operation of(String method, String key, java.util.Map<String, String> query) {
    boolean upload = query.containsKey("uploadId");
    boolean onObject = key != null && !key.isEmpty();
    switch (method) {
      case "PUT":
        return !onObject ? OTHER : upload ? UPLOAD_PART : PUT_OBJECT;
      case "GET":
        if (!onObject) {
          return query.containsKey("uploads") ? LIST_MULTIPART_UPLOADS : query.size() <= 1
              && !query.containsKey("list-type") && !query.isEmpty() ? OTHER : LIST_OBJECTS;
        }
        return upload ? LIST_PARTS : GET_OBJECT;
      case "HEAD":
        return onObject ? HEAD_OBJECT : HEAD_BUCKET;
      case "DELETE":
        return !onObject ? OTHER : upload ? ABORT_MULTIPART_UPLOAD : DELETE_OBJECT;
      case "POST":
        return query.containsKey("uploads") ? CREATE_MULTIPART_UPLOAD : upload ? COMPLETE_MULTIPART_UPLOAD : OTHER;
      default:
        return OTHER;
    }
  }
}
