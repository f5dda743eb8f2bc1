#!/usr/bin/env bash
# CloudFront signed URLs per second, one thread, beside the SDK's CloudFrontUtilities (not run in CI).
# Usage: benchmarks/signing.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
java -cp "$cp" org.openjdk.jmh.Main SigningBenchmark -t 1 -rf text -rff "$here/target/jmh-signing.txt" \
  > "$here/target/jmh-signing.log"
sed -n '/^Benchmark/,$p' "$here/target/jmh-signing.txt"
