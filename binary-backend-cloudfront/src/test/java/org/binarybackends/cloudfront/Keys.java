package org.binarybackends.cloudfront;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.binarybackends.Secret;

/** Keys and certificates made by the real openssl, in every format a customer may hand over. */
public final class Keys {
  private Keys() {}

  static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }

  /** Writes, under {@code dir}, every key file the tests use. */
  public static void make(Path dir) throws IOException, InterruptedException {
    openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pkcs8.pem");
    openssl(dir, "pkey", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem");
    openssl(dir, "pkey", "-in", "rsa-pkcs8.pem", "-pubout", "-out", "rsa-public.pem");
    openssl(dir, "pkcs8", "-topk8", "-in", "rsa-pkcs8.pem", "-outform", "DER", "-nocrypt", "-out", "rsa-pkcs8.der");
    openssl(dir, "pkcs8", "-topk8", "-in", "rsa-pkcs8.pem", "-v2", "aes-256-cbc", "-passout", "pass:correct horse",
        "-out", "rsa-encrypted.pem");
    openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-sec1.pem");
    openssl(dir, "pkcs8", "-topk8", "-in", "ec-sec1.pem", "-nocrypt", "-out", "ec-pkcs8.pem");
    openssl(dir, "ec", "-in", "ec-sec1.pem", "-pubout", "-out", "ec-public.pem");
    openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa-1024.pem");
    openssl(dir, "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "ec-p384.pem");
    openssl(dir, "req", "-x509", "-key", "rsa-pkcs8.pem", "-subj", "/CN=test", "-days", "1", "-out", "cert.pem");
  }

  /** The public key in a PEM file written by openssl ({@code BEGIN PUBLIC KEY}). */
  static java.security.PublicKey publicKey(Path file, String algorithm) throws Exception {
    String pem = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return java.security.KeyFactory.getInstance(algorithm).generatePublic(
        new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
  }

  public static Secret read(Path file) throws IOException {
    return Secret.ofBytes(Files.readAllBytes(file));
  }
}
