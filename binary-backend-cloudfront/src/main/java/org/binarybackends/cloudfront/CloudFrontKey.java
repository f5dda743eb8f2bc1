package org.binarybackends.cloudfront;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.List;
import java.util.Optional;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The private key of a CloudFront key pair. Read with BouncyCastle from every format people have:
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), PKCS#8 ({@code BEGIN PRIVATE KEY}), SEC1 ({@code BEGIN EC
 * PRIVATE KEY}), encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}) with its passphrase, and
 * PKCS#8 DER. The SDK's own loader picks a format by file extension and reads neither SEC1 nor
 * encrypted keys, hence this class.
 *
 * <p>CloudFront accepts RSA-2048 and ECDSA P-256 keys only; any other size or curve, a public key, a
 * certificate, a truncated file or garbage is refused with an {@link InvalidInputException} on
 * field {@code privateKey} that says what was found and never quotes the key. {@link #toString()}
 * shows the algorithm only. Immutable.
 */
public final class CloudFrontKey {
  /** The algorithms CloudFront accepts. */
  public enum Algorithm {
    RSA_2048,
    ECDSA_P256
  }

  private static final String FIELD = "privateKey";
  private static final String ALLOWED = "an RSA-2048 or ECDSA P-256 private key, PEM (PKCS#1, PKCS#8, SEC1,"
      + " encrypted PKCS#8 with its passphrase) or PKCS#8 DER";
  private static final ECParameterSpec P256 = p256();
  private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private final PrivateKey key;
  private final Algorithm algorithm;

  private CloudFrontKey(PrivateKey key, Algorithm algorithm) {
    this.key = key;
    this.algorithm = algorithm;
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is required of every Java platform", e);
    }
  }

  /**
   * Reads a private key.
   *
   * @param encoded the PEM text or DER bytes of the key
   * @param passphrase the passphrase of an encrypted key, if it is one
   * @throws InvalidInputException naming field {@code privateKey} (or {@code passphrase}), saying what
   *     was found, never quoting it
   */
  public static CloudFrontKey parse(Secret encoded, Optional<Secret> passphrase) {
    if (encoded == null) {
      throw new InvalidInputException(List.of(Violation.missing(FIELD, ALLOWED)));
    }
    byte[] bytes = encoded.reveal();
    Object parsed;
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (text.contains("-----BEGIN")) {
      try (PEMParser pem = new PEMParser(new StringReader(text))) {
        parsed = pem.readObject();
      } catch (IOException | RuntimeException e) {
        throw refused("a PEM block that cannot be read (truncated or damaged)");
      }
      if (parsed == null) {
        throw refused("no complete PEM block (truncated?)");
      }
    } else {
      try {
        parsed = PrivateKeyInfo.getInstance(bytes);
      } catch (RuntimeException e) {
        throw refused("neither PEM text nor a PKCS#8 DER structure");
      }
    }
    PrivateKey key = toPrivateKey(parsed, passphrase);
    return new CloudFrontKey(key, check(key));
  }

  private static PrivateKey toPrivateKey(Object parsed, Optional<Secret> passphrase) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (parsed instanceof PEMKeyPair) {
        return converter.getKeyPair((PEMKeyPair) parsed).getPrivate();
      }
      if (parsed instanceof PrivateKeyInfo) {
        return converter.getPrivateKey((PrivateKeyInfo) parsed);
      }
      if (parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
        if (passphrase.isEmpty()) {
          throw new InvalidInputException(List.of(Violation.missing("passphrase",
              "the passphrase of the encrypted private key")));
        }
        char[] chars = passphrase.get().revealUtf8().toCharArray();
        // BouncyCastle's own provider, not registered globally: the JDK's lacks some PBES2 variants
        InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(chars);
        try {
          return converter.getPrivateKey(((PKCS8EncryptedPrivateKeyInfo) parsed).decryptPrivateKeyInfo(decryptor));
        } catch (PKCSException e) {
          throw new InvalidInputException(List.of(Violation.ofSecret("passphrase",
              "the passphrase the private key was encrypted with; this one does not decrypt it")));
        }
      }
      if (parsed instanceof PEMEncryptedKeyPair) {
        throw refused("a key encrypted in the old OpenSSL format (Proc-Type: 4,ENCRYPTED); convert it with"
            + " 'openssl pkcs8 -topk8' to encrypted PKCS#8");
      }
      if (parsed instanceof SubjectPublicKeyInfo) {
        throw refused("a public key; CloudFront keeps the public key, the platform needs the private one");
      }
      if (parsed instanceof X509CertificateHolder) {
        throw refused("a certificate; the platform needs the private key");
      }
      throw refused("a PEM block of another kind (" + parsed.getClass().getSimpleName() + ")");
    } catch (IOException | org.bouncycastle.operator.OperatorCreationException | RuntimeException e) {
      if (e instanceof InvalidInputException) {
        throw (InvalidInputException) e;
      }
      throw refused("a key that cannot be decoded (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Algorithm check(PrivateKey key) {
    if (key instanceof RSAPrivateKey) {
      int bits = ((RSAPrivateKey) key).getModulus().bitLength();
      if (bits != 2048) {
        throw refused("an RSA key of " + bits + " bits; CloudFront accepts RSA keys of exactly 2048 bits");
      }
      return Algorithm.RSA_2048;
    }
    if (key instanceof ECPrivateKey) {
      ECParameterSpec p = ((ECPrivateKey) key).getParams();
      if (!p.getCurve().equals(P256.getCurve()) || !p.getGenerator().equals(P256.getGenerator())
          || !p.getOrder().equals(P256.getOrder())) {
        throw refused("an EC key on a curve of " + p.getOrder().bitLength() + " bits other than P-256; CloudFront"
            + " accepts only P-256 (secp256r1, prime256v1)");
      }
      return Algorithm.ECDSA_P256;
    }
    throw refused("a " + key.getAlgorithm() + " key; CloudFront accepts RSA-2048 and ECDSA P-256");
  }

  private static InvalidInputException refused(String found) {
    return new InvalidInputException(List.of(Violation.ofSecret(FIELD, ALLOWED + "; found " + found)));
  }

  /** The key as PKCS#8 DER, base64: what the settings' {@code privateKey} reads back. A secret. */
  Secret pkcs8Base64() {
    return Secret.of(java.util.Base64.getEncoder().encodeToString(key.getEncoded()));
  }

  /** The JCA key, for signing. */
  PrivateKey privateKey() {
    return key;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  @Override
  public String toString() {
    return "CloudFrontKey{" + algorithm + ", ***}";
  }
}
