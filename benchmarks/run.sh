#!/usr/bin/env bash
# Benchmarks of the default storage (not run in CI). Usage: benchmarks/run.sh [MiB] [repetitions]
# Builds the library, then runs, in one run on this machine:
#   1. put / read / HTTP download of a file of MiB (default 1024) against cp+sync and cat, repeated;
#   2. a put of 4 GiB of unknown length with -Xmx64m.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mib="${1:-1024}"
reps="${2:-3}"
work="$here/work"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
rm -rf "$work/storage" "$work/storage-big"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1), filesystem: $(df -T "$here" | awk 'NR==2{print $2}')"
java -Xmx512m -cp "$cp" org.binarybackends.benchmarks.DefaultStorageBenchmark compare "$work" "$mib" "$reps"
[ "${SKIP_BIG:-}" ] || java -Xmx64m -cp "$cp" org.binarybackends.benchmarks.DefaultStorageBenchmark bigput "$work" 4096
rm -rf "$work"
