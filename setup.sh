#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine to build and test haproxystats, then builds it.
#   - installs haproxy, socat, carbon-c-relay, graphite-carbon and python3-whisper (a real
#     carbon-cache and whisper-fetch), graphite-web and prometheus (without recommends: the
#     tagged-series and OpenMetrics tests start them), maven, systemd (systemd-analyze), lintian, debootstrap,
#     binutils (strip), util-linux (flock), openssl (the OpenMetrics TLS test's certificate), python3,
#     chromium and chromium-driver (the fleet page's browser test) from the distribution when missing
#     (as root, or through sudo);
#   - selects a JDK 21+: $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*; installs
#     openjdk-21-jdk-headless (or 25) when none is found; records it in .java-home;
#   - builds both daemons: haproxystats-pull/target/haproxystats-pull and
#     haproxystats-process/target/haproxystats-process; Maven also fetches the Apache Kafka
#     release (kafka_2.13) the tests start as real brokers (haproxystats-kafka-broker/target/broker-lib);
#   - as root, builds the test roots once (Debian's debootstrap, cached in
#     $HAPROXYSTATS_TEST_ROOTS, default /var/cache/haproxystats-test-roots): bookworm (a fresh
#     Debian 12 without a JDK, for the package test), bullseye and trixie with Debian's haproxy
#     (HAProxy 2.2 and 3.0, run by the tests next to the host's 2.6). Without root or debootstrap
#     it says so and the tests that need them are skipped.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v carbon-c-relay >/dev/null 2>&1 || missing+=(carbon-c-relay)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v carbon-cache >/dev/null 2>&1 || missing+=(graphite-carbon)
command -v whisper-fetch >/dev/null 2>&1 || missing+=(python3-whisper)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The fleet page's browser test (FleetPageIT) and benchmark: Debian's chromium and its driver.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The tagged-series and OpenMetrics tests' stores, without their recommends (a web server, an
# exporter service): graphite-web (run by the tests with Django's own server) and prometheus.
bare=()
[ -x /usr/bin/django-admin ] && [ -d /usr/lib/python3/dist-packages/graphite ] || bare+=(graphite-web)
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || bare+=(prometheus)
if [ ${#missing[@]} -gt 0 ] || [ ${#bare[@]} -gt 0 ]; then
    as_root apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
if [ ${#bare[@]} -gt 0 ]; then
    echo "setup: installing ${bare[*]} (without recommends)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bare[@]}"
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

# Test roots: one tarball per Debian release, made once, from the mirror apt uses here. A root
# is a minimal Debian of that release; the package test installs the .deb into a fresh copy of
# bookworm's, the generations test runs the release's own HAProxy from bullseye's and trixie's.
roots=${HAPROXYSTATS_TEST_ROOTS:-/var/cache/haproxystats-test-roots}
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
build_root() { # NAME SUITE [PACKAGES]
    local tarball="$roots/$1.tar" work="$roots/$1.work"
    [ -f "$tarball" ] && return 0
    echo "setup: building the $1 test root ($2${3:+, with $3}) from ${mirror:-the default mirror of debootstrap}"
    rm -rf "$work"
    # shellcheck disable=SC2086 # an empty mirror is no argument: debootstrap's default
    if debootstrap --variant=minbase ${3:+--include="$3"} "$2" "$work" $mirror > "$roots/$1.log" 2>&1; then
        tar -C "$work" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    else
        echo "setup: debootstrap of $2 failed (see $roots/$1.log); the tests that need it are skipped" >&2
    fi
    rm -rf "$work"
}
if [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null 2>&1; then
    mkdir -p "$roots"
    build_root bookworm bookworm
    build_root bullseye-haproxy bullseye haproxy
    build_root trixie-haproxy trixie haproxy
else
    echo "setup: not root or no debootstrap: the test roots are not built; the package and HAProxy generations tests are skipped"
fi

export JAVA_HOME="$jdk"
mvn -B -q -DskipTests install
echo "setup: built haproxystats-pull/target/haproxystats-pull and haproxystats-process/target/haproxystats-process"
