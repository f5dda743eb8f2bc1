package org.binarybackends.internal;

import org.binarybackends.OrganizationId;
import org.binarybackends.spi.Instrumentation;
import org.slf4j.MDC;

/**
 * The organization and the backend instance of what runs now, in SLF4J's MDC; closing it puts back
 * the values the caller had (or removes the keys it had not set). For one thread, closed on it.
 */
public final class LogContext implements AutoCloseable {
  private final String previousOrganization = MDC.get(Instrumentation.MDC_ORGANIZATION);
  private final String previousBackend = MDC.get(Instrumentation.MDC_BACKEND);
  private final boolean setsBackend;

  private LogContext(OrganizationId organization, String backend) {
    if (organization != null) {
      MDC.put(Instrumentation.MDC_ORGANIZATION, organization.toString());
    }
    setsBackend = backend != null;
    if (setsBackend) {
      MDC.put(Instrumentation.MDC_BACKEND, backend);
    }
  }

  /** {@code organization} (if not null) and {@code backend} (if not null) in the MDC until closed. */
  public static LogContext of(OrganizationId organization, String backend) {
    return new LogContext(organization, backend);
  }

  @Override
  public void close() {
    restore(Instrumentation.MDC_ORGANIZATION, previousOrganization);
    if (setsBackend) {
      restore(Instrumentation.MDC_BACKEND, previousBackend);
    }
  }

  private static void restore(String key, String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
