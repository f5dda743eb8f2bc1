package org.binarybackends;

/** What a delete did. Deleting what is not there is not an error: it says so. */
public enum DeleteResult {
  /** A binary was stored under the key and is now gone. */
  DELETED,
  /** Nothing was stored under the key; nothing changed. */
  NOT_FOUND
}
