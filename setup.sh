#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine to build and test haproxystats, then builds it.
#   - installs haproxy, socat, carbon-c-relay, maven and systemd (for systemd-analyze verify of
#     the units) from the distribution when missing
#     (as root, or through sudo);
#   - selects a JDK 21+: $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*; installs
#     openjdk-21-jdk-headless (or 25) when none is found; records it in .java-home;
#   - builds both daemons: haproxystats-pull/target/haproxystats-pull and
#     haproxystats-process/target/haproxystats-process.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v carbon-c-relay >/dev/null 2>&1 || missing+=(carbon-c-relay)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1; }
find_jdk() {
    local c
    for c in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")" \
             $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        c=${c%/}
        [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
        local m; m=$(java_major "$c/bin/java")
        if [ -n "$m" ] && [ "$m" -ge 21 ]; then echo "$c"; return 0; fi
    done
    return 1
}
if ! jdk=$(find_jdk); then
    echo "setup: no JDK 21+ found; installing one from the distribution"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-21-jdk-headless \
        || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-25-jdk-headless
    jdk=$(find_jdk) || { echo "setup: still no JDK 21+; set JAVA_HOME to one" >&2; exit 1; }
fi
echo "$jdk" > .java-home
echo "setup: using JDK $jdk ($(java_major "$jdk/bin/java"))"

export JAVA_HOME="$jdk"
mvn -B -q -DskipTests install
echo "setup: built haproxystats-pull/target/haproxystats-pull and haproxystats-process/target/haproxystats-process"
