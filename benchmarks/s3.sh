#!/usr/bin/env bash
# The S3 backend beside the SDK's own S3Client (not run in CI). Usage: benchmarks/s3.sh [MiB] [repetitions] [platform]
# ("platform": the platform's own bucket, type platform-s3, instead of an organization's)
# Builds the library, then, in one run on this machine against the embedded S3 server: upload and
# download of a binary of MiB (default 1024) through the backend and directly with the SDK, alternating.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mib="${1:-1024}"
reps="${2:-5}"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx2g -cp "$cp" org.binarybackends.benchmarks.S3Benchmark "$here/work-s3" "$mib" "$reps" ${3:-}
