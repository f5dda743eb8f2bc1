package org.binarybackends.spi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA providers the library computes with, chosen once per process, never installed for it.
 *
 * <p><b>Amazon Corretto Crypto Provider</b> ({@code software.amazon.cryptools:AmazonCorrettoCryptoProvider},
 * AWS-LC underneath; Linux on x86-64 and ARM64) is an optional dependency: when it is on the class or
 * module path, its native library loads and its self-tests pass, {@link #corretto()} gives it, and the
 * library asks for it by name ({@code Signature.getInstance(algorithm, provider)}) where it is faster:
 * CloudFront signatures, and SHA-256 where the JVM has no hardware SHA-256 of its own. It is never
 * added to {@link java.security.Security}'s list: that would change the embedding service's crypto
 * (and the AWS SDK's) too. Without it, everything works as it does with the JDK alone.
 *
 * <p>System property {@value #SHA256_PROPERTY} overrides the choice of SHA-256's provider: {@code
 * auto} (the default, as above), {@code jdk}, or {@code corretto} (where measurements on the machine
 * say so). Which provider computes what is logged once, at INFO, on first use, and given by {@link
 * #describe()}.
 */
public final class CryptoProviders {
  /** The provider's {@link Provider#getName() name}. */
  public static final String CORRETTO = "AmazonCorrettoCryptoProvider";
  /** The system property choosing SHA-256's provider: {@code auto}, {@code jdk} or {@code corretto}. */
  public static final String SHA256_PROPERTY = "binarybackends.sha256";

  private static final Logger LOG = LoggerFactory.getLogger(CryptoProviders.class);
  private static final String CORRETTO_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  private CryptoProviders() {}

  /** Chosen once, on first use (the provider's self-tests take a moment). */
  private static final class Chosen {
    static final Optional<Provider> CORRETTO_PROVIDER = loadCorretto();
    static final boolean JVM_HAS_SHA_INSTRUCTIONS = jvmHashesWithShaInstructions();
    static final String SHA256_CHOICE = sha256Choice();
    static final Provider SHA256 = sha256Provider(SHA256_CHOICE, JVM_HAS_SHA_INSTRUCTIONS, CORRETTO_PROVIDER);

    static {
      LOG.info("{}", describe());
    }
  }

  /**
   * Amazon Corretto Crypto Provider, if it is present and healthy: its native library loaded and its
   * self-tests passed. Found through {@link ServiceLoader} (its jar declares itself a {@link Provider}),
   * so the library needs it neither to compile nor to run.
   */
  public static Optional<Provider> corretto() {
    return Chosen.CORRETTO_PROVIDER;
  }

  /**
   * A new SHA-256 digest from the faster provider here: the JDK's where the JVM hashes with the CPU's
   * SHA instructions (HotSpot's intrinsic on x86-64 with SHA-NI or AVX2, and on ARM64 — measured as
   * fast as Corretto's), Corretto's where it does not and Corretto is present (measured about seven
   * times the JDK's Java code, fed as below), the JDK's otherwise. Corretto's is fed through a direct buffer ({@link
   * DirectFedDigest}); its {@link MessageDigest#getProvider()} is then {@code null}: {@link
   * #sha256ProviderName()} says whose it is.
   */
  public static MessageDigest sha256() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256", Chosen.SHA256);
      // Corretto's reads Java arrays in JNI critical regions, which can fail the JVM's allocations
      return Chosen.SHA256.getName().equals(CORRETTO) ? new DirectFedDigest(digest) : digest;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The name of the provider {@link #sha256()} takes its digests from. */
  public static String sha256ProviderName() {
    return Chosen.SHA256.getName();
  }

  /** One line: which provider hashes and which signs, and why. */
  public static String describe() {
    String corretto = Chosen.CORRETTO_PROVIDER.map(CryptoProviders::version).orElse(null);
    String sha = Chosen.SHA256.getName() + (!Chosen.SHA256_CHOICE.equals("auto")
        ? " (" + SHA256_PROPERTY + "=" + Chosen.SHA256_CHOICE + ")"
        : Chosen.JVM_HAS_SHA_INSTRUCTIONS ? " (the JVM hashes with SHA instructions)"
        : " (the JVM has no hardware SHA-256)");
    return corretto == null
        ? "crypto: SHA-256 by " + sha + "; signatures by the JDK and BouncyCastle (" + CORRETTO + " not present)"
        : "crypto: SHA-256 by " + sha + "; CloudFront signatures by " + corretto;
  }

  /** {@code AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC v1.47.0)}, as the provider describes itself. */
  static String version(Provider p) {
    return p.getInfo();
  }

  private static Optional<Provider> loadCorretto() {
    try {
      Optional<ServiceLoader.Provider<Provider>> found = ServiceLoader.load(Provider.class,
          CryptoProviders.class.getClassLoader()).stream().filter(p -> p.type().getName().equals(CORRETTO_CLASS))
          .findFirst();
      if (found.isEmpty()) {
        LOG.debug("{} is not on the class path: the JDK's providers compute", CORRETTO);
        return Optional.empty();
      }
      // its own shared instance (what its documentation asks for), not a second one
      Class<? extends Provider> type = found.get().type();
      Provider provider = (Provider) type.getField("INSTANCE").get(null);
      Object loadingError = type.getMethod("getLoadingError").invoke(provider);
      if (loadingError != null) {
        LOG.warn("{} is on the class path but its native library did not load ({}): the JDK's providers compute",
            CORRETTO, loadingError);
        return Optional.empty();
      }
      Object selfTests = type.getMethod("runSelfTests").invoke(provider);
      if (!"PASSED".equals(String.valueOf(selfTests))) {
        LOG.warn("{}'s self-tests did not pass ({}): the JDK's providers compute", CORRETTO, selfTests);
        return Optional.empty();
      }
      return Optional.of(provider);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError | java.util.ServiceConfigurationError e) {
      // a version without these methods, one that cannot load here (another OS or CPU), or another
      // provider's broken service entry met on the way
      LOG.warn("{} is on the class path but cannot be used here ({}): the JDK's providers compute", CORRETTO,
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * Whether HotSpot computes SHA-256 with the CPU's instructions: its {@code UseSHA} flag is set
   * only where the CPU has them (and its diagnostic {@code UseSHA256Intrinsics}, when unlocked, must
   * not be off). A flag, not a timing: the choice is the same at every start on the same machine.
   * Another JVM, or one without {@code jdk.management}: unknown, taken as no.
   */
  private static boolean jvmHashesWithShaInstructions() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      if (vm == null || !"true".equals(vm.getVMOption("UseSHA").getValue())) {
        return false;
      }
      try {
        return !"false".equals(vm.getVMOption("UseSHA256Intrinsics").getValue());
      } catch (IllegalArgumentException locked) {
        return true; // a diagnostic flag, visible only when unlocked: at its default, on with UseSHA
      }
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static String sha256Choice() {
    String value = System.getProperty(SHA256_PROPERTY, "auto");
    String choice = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (choice.equals("auto") || choice.equals("jdk") || choice.equals("corretto")) {
      return choice;
    }
    LOG.warn("system property {}={}: allowed are auto, jdk and corretto; taking auto", SHA256_PROPERTY, value);
    return "auto";
  }

  private static Provider sha256Provider(String choice, boolean jvmHasShaInstructions, Optional<Provider> corretto) {
    if (choice.equals("corretto") && corretto.isEmpty()) {
      LOG.warn("system property {}=corretto, but {} is not present or not healthy: the JDK's SHA-256", SHA256_PROPERTY,
          CORRETTO);
    }
    if (corretto.isPresent() && (choice.equals("corretto") || choice.equals("auto") && !jvmHasShaInstructions)) {
      return corretto.get();
    }
    try {
      return MessageDigest.getInstance("SHA-256").getProvider();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
