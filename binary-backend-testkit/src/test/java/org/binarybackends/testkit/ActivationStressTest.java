package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;
import org.junit.jupiter.api.Test;

/**
 * Uploads, reads, resolves, activations and configuration changes all at once, on several
 * organizations: afterwards every binary any upload reported stored is readable, with its bytes.
 */
class ActivationStressTest {
  private static final int ORGS = 4;
  private static final int UPLOADS_PER_WORKER = 150;

  @Test
  void noBinaryIsLostOrUnreadableWhileEverythingChanges() throws Exception {
    // replaced backends closed at once: a call that resolved one just before must cope
    ControlledPlatform platform = ControlledPlatform.start(new InMemoryStateStore(),
        ActivationPolicy.builder().allowedTypes("controlled").build(), Duration.ZERO);
    ControlledBackendProvider provider = platform.provider();
    BinaryBackends binaries = platform.binaries();
    ConcurrentLinkedQueue<StoredBinary> stored = new ConcurrentLinkedQueue<>();
    AtomicInteger suspended = new AtomicInteger();
    AtomicInteger replacedMidCall = new AtomicInteger();
    ExecutorService pool4 = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger uploadersLeft = new AtomicInteger(3);
    try {
      List<Future<?>> work = new java.util.ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int worker = w;
        work.add(pool4.submit(() -> {
          start.await();
          try {
            for (int i = 0; i < UPLOADS_PER_WORKER; i++) {
              OrganizationId org = OrganizationId.of("org-" + (i % ORGS));
              ObjectKey key = ObjectKey.of("fw/" + worker + "/" + i);
              try {
                UploadTarget target = binaries.forUpload(org);
                stored.add(target.backend().put(org, key, new ByteArrayInputStream(content(org, key))));
              } catch (UploadsSuspendedException e) {
                suspended.incrementAndGet();
              } catch (BackendUnavailableException e) {
                replacedMidCall.incrementAndGet(); // resolved just before a switch closed it: resolve again
              }
            }
          } finally {
            uploadersLeft.decrementAndGet();
          }
          return null;
        }));
      }
      work.add(pool4.submit(() -> { // reader of whatever is stored so far
        start.await();
        while (uploadersLeft.get() > 0) {
          for (StoredBinary b : stored) {
            assertReadable(binaries, b);
          }
        }
        return null;
      }));
      work.add(pool4.submit(() -> { // the customers and the activator
        start.await();
        int round = 0;
        while (uploadersLeft.get() > 0) {
          OrganizationId org = OrganizationId.of("org-" + (round % ORGS));
          String bucket = "bucket-" + org.value() + "-" + (round / ORGS % 3);
          if (round % 7 == 3) {
            provider.control(bucket).fail("AccessDenied");
          } else {
            provider.control(bucket).pass();
          }
          binaries.register(org, ControlledPlatform.settings(bucket), "t");
          binaries.check(org);
          binaries.check(org);
          round++;
        }
        return null;
      }));
      start.countDown();
      for (Future<?> f : work) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool4.shutdownNow();
    }
    try (platform) {
    assertThat(stored.size() + suspended.get() + replacedMidCall.get()).isEqualTo(3 * UPLOADS_PER_WORKER);
    assertThat(stored.stream().map(b -> b.location().instance()).distinct().count())
        .as("uploads landed in several instances").isGreaterThan(2);
      for (StoredBinary b : stored) {
        assertReadable(binaries, b);
      }
    }
  }

  private static byte[] content(OrganizationId org, ObjectKey key) {
    return (org + ":" + key).getBytes(StandardCharsets.UTF_8);
  }

  private static void assertReadable(BinaryBackends binaries, StoredBinary b) throws Exception {
    OrganizationId org = b.location().organization();
    for (int attempt = 0; ; attempt++) {
      try (BinaryContent c = binaries.forBinary(b.location()).read(org, b.key())) {
        assertThat(c.stream().readAllBytes()).isEqualTo(content(org, b.key()));
        return;
      } catch (BackendUnavailableException e) {
        assertThat(attempt).as("a replaced backend is rebuilt on the next call").isLessThan(3);
      }
    }
  }
}
