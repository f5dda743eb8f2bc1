#!/usr/bin/env bash
# CloudFront signed URLs per second on one thread: the library with Amazon Corretto Crypto Provider,
# the library without it, the SDK's CloudFrontUtilities, and `openssl speed` before and after, in one
# run; then SHA-256 of 1 GiB in memory by the JDK and by the provider (not run in CI).
# Usage: benchmarks/signing.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
with="$here/target/classes:$(cat "$here/target/classpath.txt")"
without="$(tr ':' '\n' <<<"$with" | grep -v AmazonCorrettoCryptoProvider | paste -sd:)"
out="$here/target"

openssl_rates() { # sign/s of RSA-2048 and ECDSA P-256, one process, one thread
  openssl speed -seconds 10 rsa2048 ecdsap256 2>/dev/null | awk '/^rsa 2048 bits/ {rsa=$6} /ecdsa \(nistp256\)/ {ec=$(NF-1)} END {print rsa, ec}'
}

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1), $(openssl version | cut -d' ' -f1-2)"
read -r rsa1 ec1 < <(openssl_rates)
echo "openssl speed (before): rsa2048 $rsa1 sign/s, ecdsap256 $ec1 sign/s"
java -cp "$with" org.openjdk.jmh.Main SigningBenchmark -t 1 -rf text -rff "$out/jmh-signing.txt" > "$out/jmh-signing.log"
java -cp "$without" org.openjdk.jmh.Main 'SigningBenchmark\.(rsa|ec|fleet)Library' -t 1 -rf text \
  -rff "$out/jmh-signing-without.txt" > "$out/jmh-signing-without.log"
read -r rsa2 ec2 < <(openssl_rates)
echo "openssl speed (after):  rsa2048 $rsa2 sign/s, ecdsap256 $ec2 sign/s"
echo "-- with Amazon Corretto Crypto Provider on the class path"
sed -n '/^Benchmark/,$p' "$out/jmh-signing.txt"
echo "-- without it (the SDK's rows are the same code either way)"
sed -n '/^Benchmark/,$p' "$out/jmh-signing-without.txt"
awk -v rsa1="$rsa1" -v rsa2="$rsa2" -v ec1="$ec1" -v ec2="$ec2" '
  FNR == 1 { file++ }
  /^SigningBenchmark\./ { split($1, n, "."); score[file, n[2]] = $4 }
  END {
    rsa = (rsa1 + rsa2) / 2; ec = (ec1 + ec2) / 2
    printf "ECDSA P-256 uncached: library %.0f/s = %.2fx openssl (%.0f/s), %.1fx the SDK (%.0f/s); without the provider %.0f/s\n",
      score[1, "ecLibrary"], score[1, "ecLibrary"] / ec, ec, score[1, "ecLibrary"] / score[1, "ecSdk"], score[1, "ecSdk"], score[2, "ecLibrary"]
    printf "RSA-2048 uncached:    library %.0f/s = %.2fx openssl (%.0f/s), %.2fx the SDK (%.0f/s); without the provider %.0f/s\n",
      score[1, "rsaLibrary"], score[1, "rsaLibrary"] / rsa, rsa, score[1, "rsaLibrary"] / score[1, "rsaSdk"], score[1, "rsaSdk"], score[2, "rsaLibrary"]
    printf "fleet:                library %.0f/s = %.0fx the SDK signing each request (%.0f/s); without the provider %.0f/s\n",
      score[1, "fleetLibrary"], score[1, "fleetLibrary"] / score[1, "fleetSdk"], score[1, "fleetSdk"], score[2, "fleetLibrary"]
  }' "$out/jmh-signing.txt" "$out/jmh-signing-without.txt"
echo "-- SHA-256 of 1 GiB in memory, this JVM as it is"
java -Xmx2g -cp "$with" org.binarybackends.benchmarks.Sha256Benchmark 1024 5
echo "-- the same in a JVM without hardware SHA-256 (-XX:-UseSHA)"
java -Xmx2g -XX:-UseSHA -cp "$with" org.binarybackends.benchmarks.Sha256Benchmark 1024 3
