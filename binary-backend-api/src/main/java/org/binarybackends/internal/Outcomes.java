package org.binarybackends.internal;

import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ContentReadException;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.QuotaExceededException;
import org.binarybackends.RangeNotSatisfiableException;

/** The {@code outcome} tag of an operation: one of a few values, from the type of what it threw. */
public final class Outcomes {
  public static final String SUCCESS = "success";

  private Outcomes() {}

  /** {@code success}, or the kind of failure {@code failure} is (never its message). */
  public static String of(Throwable failure) {
    if (failure == null) {
      return SUCCESS;
    }
    if (failure instanceof BinaryNotFoundException) {
      return "not_found";
    }
    if (failure instanceof RangeNotSatisfiableException) {
      return "range_not_satisfiable";
    }
    if (failure instanceof InvalidConfigurationException) {
      return "invalid_configuration";
    }
    if (failure instanceof InvalidInputException) {
      return "invalid_input";
    }
    if (failure instanceof AccessDeniedException) {
      return "access_denied";
    }
    if (failure instanceof QuotaExceededException) {
      return "quota_exceeded";
    }
    if (failure instanceof IntegrityException) {
      return "integrity";
    }
    if (failure instanceof ContentReadException) {
      return "content_read"; // the caller's stream failed, not the storage
    }
    if (failure instanceof BackendUnavailableException) {
      return "unavailable";
    }
    return "error";
  }
}
