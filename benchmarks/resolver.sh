#!/usr/bin/env bash
# Benchmarks of the resolver (not run in CI). Usage: benchmarks/resolver.sh
#   1. JMH: forUpload of organizations already resolved, 2 threads (average and sampled percentiles);
#   2. 100,000 organizations, 1% with their own storage, all resolved and cached, with -Xmx256m;
#   3. the heap one organization's s3 and cloudfront backend take once built (1,000 of each).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx256m -cp "$cp" org.binarybackends.benchmarks.ResolverMemory 100000
java -Xmx1g -cp "$cp" org.binarybackends.benchmarks.BackendMemory 1000
java -cp "$cp" org.openjdk.jmh.Main ResolveBenchmark -rf text -rff "$here/target/jmh-resolve.txt" > "$here/target/jmh-resolve.log"
sed -n '/^Benchmark/,$p' "$here/target/jmh-resolve.txt"
