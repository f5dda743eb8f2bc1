package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * A session is assumed again ahead of its end on the library's clock: in the background from half
 * its life (at most 10 minutes) before, callers waiting only in its last tenth; a failed refresh never
 * takes a working session away.
 */
class SessionCacheTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));
  private final AtomicInteger assumed = new AtomicInteger();
  private final AtomicBoolean stsDown = new AtomicBoolean();
  private final SessionCache cache = new SessionCache(this::assume, clock, "test");

  /** An hour-long session named by its number. */
  private AwsSessionCredentials assume() {
    if (stsDown.get()) {
      throw new BackendUnavailableException("STS could not be reached", true, null);
    }
    int n = assumed.incrementAndGet();
    return AwsSessionCredentials.builder().accessKeyId("AKIA" + n).secretAccessKey("s" + n).sessionToken("t" + n)
        .expirationTime(clock.instant().plus(Duration.ofHours(1))).build();
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void oneSessionServesUntilTenMinutesBeforeItsEndThenIsReplacedInTheBackground() throws Exception {
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    clock.advance(Duration.ofMinutes(49));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    assertThat(assumed).hasValue(1);
    clock.advance(Duration.ofMinutes(1)); // ten minutes left: refreshed in the background
    assertThat(cache.get().accessKeyId()).as("the caller does not wait").isEqualTo("AKIA1");
    await(() -> assumed.get() == 2);
    await(() -> cache.get().accessKeyId().equals("AKIA2"));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
    assertThat(assumed).hasValue(2);
  }

  @Test
  void inTheLastTwoMinutesTheCallerWaitsForAFreshSession() {
    cache.get();
    clock.advance(Duration.ofMinutes(58).plusSeconds(1));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
  }

  @Test
  void aFailedRefreshKeepsTheWorkingSessionAndOnlyAnEndedOneFails() throws Exception {
    cache.get();
    stsDown.set(true);
    clock.advance(Duration.ofMinutes(51));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1"); // background refresh fails
    clock.advance(Duration.ofMinutes(8)); // last tenth: a blocking refresh fails, the session still works
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    clock.advance(Duration.ofMinutes(1));
    assertThatThrownBy(cache::get).isInstanceOf(BackendUnavailableException.class);
    stsDown.set(false);
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
  }

  @Test
  void aFailedBackgroundRefreshIsNotTriedAgainAtEveryCall() throws Exception {
    cache.get();
    AtomicInteger tries = new AtomicInteger();
    SessionCache counting = new SessionCache(() -> {
      tries.incrementAndGet();
      if (tries.get() > 1) {
        throw new BackendUnavailableException("STS could not be reached", true, null);
      }
      return assume();
    }, clock, "counting");
    counting.get();
    clock.advance(Duration.ofMinutes(51));
    counting.get();
    await(() -> tries.get() == 2 && !counting.refreshing()); // the failed refresh set its retry time
    for (int i = 0; i < 100; i++) {
      counting.get();
    }
    Thread.sleep(50); // time for a refresh that should not have started to show
    assertThat(tries).as("no retry before RETRY_AFTER").hasValue(2);
    clock.advance(SessionCache.RETRY_AFTER);
    counting.get();
    await(() -> tries.get() == 3);
    assertThat(tries).hasValue(3);
  }
}
