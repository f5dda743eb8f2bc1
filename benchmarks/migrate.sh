#!/usr/bin/env bash
# Moving an organization's binaries (migrations().run) beside a plain SDK copy (not run in CI).
# Usage: benchmarks/migrate.sh [total MiB] [binary MiB] [concurrency] [repetitions]
# Builds the library, then, in one run on this machine against the embedded S3 server: 1 GiB in
# binaries of 8 MiB, then one binary of 1 GiB, from the default storage to an organization's bucket,
# beside the SDK copying the same bytes from plain files, alternating; medians, CPU and peak heap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx1g -cp "$cp" org.binarybackends.benchmarks.MigrationBenchmark "$here/work-migrate" "${1:-1024}" "${2:-8}" \
  "${3:-4}" "${4:-5}"
