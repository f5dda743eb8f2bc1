package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * A session is assumed again ahead of its end on the library's clock: in the background from half
 * its life (at most 10 minutes) before, callers waiting only in its last tenth; a failed refresh never
 * takes a working session away. Background refreshes are queued here and run when the test says, so
 * that nothing waits on time.
 */
class SessionCacheTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));
  private final AtomicInteger assumed = new AtomicInteger();
  private final AtomicBoolean stsDown = new AtomicBoolean();
  /** The background refreshes asked for, not yet run. */
  private final Queue<Runnable> background = new ArrayDeque<>();
  private final SessionCache cache = new SessionCache(this::assume, clock, "test", background::add, org.binarybackends.spi.Instrumentation.none(), "customer");

  /** An hour-long session named by its number. */
  private AwsSessionCredentials assume() {
    if (stsDown.get()) {
      throw new BackendUnavailableException("STS could not be reached", true, null);
    }
    int n = assumed.incrementAndGet();
    return AwsSessionCredentials.builder().accessKeyId("AKIA" + n).secretAccessKey("s" + n).sessionToken("t" + n)
        .expirationTime(clock.instant().plus(Duration.ofHours(1))).build();
  }

  /** Runs the background refreshes asked for so far; how many there were. */
  private int runBackground() {
    int n = 0;
    for (Runnable r; (r = background.poll()) != null; n++) {
      r.run();
    }
    return n;
  }

  @Test
  void oneSessionServesUntilTenMinutesBeforeItsEndThenIsReplacedInTheBackground() {
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    clock.advance(Duration.ofMinutes(49));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    assertThat(background).as("no refresh before ten minutes are left").isEmpty();
    clock.advance(Duration.ofMinutes(1)); // ten minutes left: refreshed in the background
    assertThat(cache.get().accessKeyId()).as("the caller does not wait").isEqualTo("AKIA1");
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    assertThat(assumed).as("nothing assumed on the caller's thread").hasValue(1);
    assertThat(runBackground()).as("one refresh however many callers").isEqualTo(1);
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
    assertThat(assumed).hasValue(2);
    assertThat(background).isEmpty();
  }

  @Test
  void inTheLastTwoMinutesTheCallerWaitsForAFreshSession() {
    cache.get();
    clock.advance(Duration.ofMinutes(58).plusSeconds(1));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
    assertThat(background).isEmpty();
  }

  @Test
  void aFailedRefreshKeepsTheWorkingSessionAndOnlyAnEndedOneFails() {
    cache.get();
    stsDown.set(true);
    clock.advance(Duration.ofMinutes(51));
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    assertThat(runBackground()).isEqualTo(1); // fails
    clock.advance(Duration.ofMinutes(8)); // last tenth: a blocking refresh fails, the session still works
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    clock.advance(Duration.ofMinutes(1));
    assertThatThrownBy(cache::get).isInstanceOf(BackendUnavailableException.class);
    stsDown.set(false);
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
  }

  @Test
  void aFailedBackgroundRefreshIsNotTriedAgainAtEveryCall() {
    cache.get();
    stsDown.set(true);
    clock.advance(Duration.ofMinutes(51));
    cache.get();
    assertThat(runBackground()).isEqualTo(1); // fails: tried again only after RETRY_AFTER
    for (int i = 0; i < 100; i++) {
      cache.get();
    }
    assertThat(background).as("no retry before RETRY_AFTER").isEmpty();
    clock.advance(SessionCache.RETRY_AFTER);
    stsDown.set(false);
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA1");
    assertThat(runBackground()).isEqualTo(1);
    assertThat(cache.get().accessKeyId()).isEqualTo("AKIA2");
  }

  @Test
  void aClosedCacheRefreshesNoMore() {
    cache.get();
    cache.close();
    clock.advance(Duration.ofMinutes(51));
    cache.get();
    assertThat(background).isEmpty();
  }
}
