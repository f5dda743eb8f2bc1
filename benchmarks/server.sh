#!/usr/bin/env bash
# The embedded download server beside nginx (Debian's, sendfile on), both pinned to core 0, every
# client pinned to core 1 (not run in CI). Usage: benchmarks/server.sh [load-seconds]
#   1. one stream of a 1 GiB file with curl, 3 times each: throughput and the server's CPU-seconds per GiB;
#   2. 1,000 readers at 1 KiB/s (4 KiB receive buffers) + 1,000 keep-alive clients fetching 1 MiB over
#      and over, from one non-blocking load generator: the fast clients' time to first byte, and RSS;
#   3. 10,000 aborted downloads (library only): heap after a full GC before and after, next download whole.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-30}"
work="$here/work-server"
port=18080
nport=18081
command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx)
mvn -B -q -f "$here/../pom.xml" -DskipTests install
mvn -B -q -f "$here/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
ulimit -n "$(ulimit -Hn)" # 2,000 connections need more than 1,024 descriptors
rm -rf "$work"; mkdir -p "$work"
trap 'kill "${jpid:-}" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true' EXIT

taskset -c 0 java -Xmx256m -cp "$cp" org.binarybackends.benchmarks.ServerBenchmark serve "$work" "$port" > "$work/serve.log" 2>&1 &
jpid=$!
until grep -q READY "$work/serve.log"; do sleep 1; kill -0 "$jpid"; done
cat > "$work/nginx.conf" <<CONF
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nport; root $work/plain; }
}
CONF
taskset -c 0 nginx -c "$work/nginx.conf" -p "$work"
sleep 1
npids="$(cat "$work/nginx.pid") $(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')"
big="$(sed -n 1p "$work/urls.txt")"; small="$(sed -n 2p "$work/urls.txt")"
nbig="http://127.0.0.1:$nport/big.bin"; nsmall="http://127.0.0.1:$nport/small.bin"
tck="$(getconf CLK_TCK)"
cpu() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
rss() { local t=0; for p in "$@"; do t=$((t + $(awk '/VmRSS/{print $2}' "/proc/$p/status"))); done; echo "$((t / 1024)) MiB"; }

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1), $(nginx -v 2>&1)"
echo "-- one stream of 1 GiB with curl (client on core 1)"
for round in 1 2 3; do
  for who in library nginx; do
    if [ "$who" = library ]; then pids="$jpid"; url="$big"; else pids="$npids"; url="$nbig"; fi
    c0="$(cpu $pids)"
    read -r speed size < <(taskset -c 1 curl -s -o /dev/null -w '%{speed_download} %{size_download}\n' "$url")
    c1="$(cpu $pids)"
    awk -v w="$who" -v s="$speed" -v n="$size" -v c=$((c1 - c0)) -v t="$tck" \
      'BEGIN { printf "%-8s %7.0f MB/s   server CPU %.3f s per GiB\n", w, s / 1e6, (c / t) / (n / 1073741824) }'
  done
done
echo "-- 1,000 slow readers + 1,000 fast clients for $secs s (load generator on core 1)"
for who in library nginx; do
  if [ "$who" = library ]; then pids="$jpid"; b="$big"; s="$small"; else pids="$npids"; b="$nbig"; s="$nsmall"; fi
  taskset -c 1 java -Xmx1g -cp "$cp" org.binarybackends.benchmarks.ServerBenchmark load "$b" "$s" 1000 1000 "$secs" \
    > "$work/load-$who.log" 2>&1 &
  lpid=$!
  sleep $((secs - 3))
  r="$(rss $pids)"
  wait "$lpid"
  echo "$who (RSS under load: $r)"; sed 's/^/  /' "$work/load-$who.log"
done
echo "-- 10,000 aborted downloads (library)"
taskset -c 0 java -Xmx512m -cp "$cp" org.binarybackends.benchmarks.ServerBenchmark aborts "$work" 10000 2>/dev/null
