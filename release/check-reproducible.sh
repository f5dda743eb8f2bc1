#!/usr/bin/env bash
# Builds the release artifacts twice from the committed HEAD, in two clean clones that differ in TZ,
# LANG and umask, and compares every artifact (jars, sources, javadoc, the shaded CLI jar) with the
# maven-artifact-plugin: the first build installs and records them (artifact:buildinfo), the second
# compares its own against those (artifact:compare fails the build on any difference). Also checks the
# plugins of the build plan against known reproducibility issues (artifact:check-buildplan).
# Not run in CI (two full builds). Usage: release/check-reproducible.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'echo "builds kept for a look (diffoscope the files named above): $work" >&2' ERR
git clone -q "$root" "$work/a"
git clone -q "$root" "$work/b"
flags=(-B -q -P release -DskipTests -Dbuildinfo.ignoreJavadoc=false)
echo "== $(git -C "$root" rev-parse --short HEAD): first build (TZ=UTC, LANG=C.UTF-8, umask 022)"
(cd "$work/a" && umask 022 && TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
  mvn "${flags[@]}" install artifact:check-buildplan artifact:buildinfo)
echo "== second build (TZ=Pacific/Kiritimati, LANG=de_DE.UTF-8, umask 077), compared with the first"
(cd "$work/b" && umask 077 && TZ=Pacific/Kiritimati LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 \
  mvn "${flags[@]}" verify artifact:compare)
# the aggregate comparison of every module, written by the last module of the reactor
summary="$(ls "$work"/b/target/*.buildcompare "$work"/b/*/target/*.buildcompare 2>/dev/null | tail -1)"
cat "$summary"
grep -q '^ko=0$' "$summary"
echo "== every artifact the same in both builds"
rm -rf "$work"
