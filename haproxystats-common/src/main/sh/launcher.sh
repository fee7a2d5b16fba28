#!/bin/sh
# @NAME@ launcher (generated at build time from haproxystats-common/src/main/sh/launcher.sh).
#
# Finds a Java 21+ runtime: the one the package carries, then $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*, and runs
# @MAIN_CLASS@ with the jars in lib/ beside this file (the build), or ../lib/@LIB@ (the tarball
# and the Debian package, whose /usr/bin entry is a link to here). JVM options: $HAPROXYSTATS_JAVA_OPTS, default "@DEFAULT_JAVA_OPTS@".
set -eu

self=$(readlink -f "$0")
here=$(dirname "$self")
if [ -d "$here/lib" ]; then
    lib="$here/lib"
elif [ -d "$here/../lib/@LIB@" ]; then
    lib="$here/../lib/@LIB@"
elif [ -d "$here/../lib" ]; then
    lib="$here/../lib"
else
    echo "@NAME@: cannot find the lib/ directory next to $self" >&2
    exit 1
fi

java_major() {
    # Prints the feature release of a java binary (17, 21, 25...), or nothing.
    "$1" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

release_major() {
    # The feature release from the runtime's release file, without starting a JVM (a short-lived
    # command such as haproxystats-fleet would otherwise start two), or nothing.
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$(readlink -f "$1")")")/release" 2>/dev/null \
        | head -n 1
}

seen=""
pick() {
    [ -x "$1" ] || return 1
    major=$(release_major "$1")
    [ -n "$major" ] || major=$(java_major "$1")
    seen="$seen $1 (${major:-unknown version});"
    [ -n "$major" ] && [ "$major" -ge 21 ]
}

# The runtime the Debian package carries (/usr/lib/haproxystats/runtime, from /usr/share/haproxystats/bin)
# or one unpacked next to bin/: made for these daemons, so it is preferred to any other Java.
java=""
for bundled in "$here/../runtime/bin/java" "$here/../../../lib/haproxystats/runtime/bin/java"; do
    if [ -z "$java" ] && [ -x "$bundled" ]; then
        java="$bundled"
    fi
done
if [ -n "$java" ]; then
    :
elif [ -n "${JAVA_HOME:-}" ] && pick "$JAVA_HOME/bin/java"; then
    java="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1 && pick "$(command -v java)"; then
    java=$(command -v java)
else
    for candidate in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
        if pick "$candidate"; then
            java="$candidate"
            break
        fi
    done
fi
if [ -z "$java" ]; then
    echo "@NAME@: needs Java 21 or newer; found:${seen:- no java at all}. Set JAVA_HOME to a JDK/JRE 21+." >&2
    exit 1
fi

# File names are UTF-8 whatever the service's locale (systemd units set none): under LANG=C a
# socket named café.sock could not even be named by the JVM (InvalidPathException).
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
    *UTF-8*|*utf-8*|*UTF8*|*utf8*) ;;
    *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac

# jnr (the stats sockets' and systemd's datagrams, the spool lock) loads native code: allowed
# explicitly, as JDK 22+ asks (and will require), so a start prints no WARNING lines. The flag
# exists on every JDK 21+.
native="--enable-native-access=ALL-UNNAMED"

# JDK 24+ warns (4 lines at each start) when a library calls sun.misc.Unsafe's memory methods, as
# classgraph (under Tablesaw) does; they stay allowed until a later JDK removes them. The feature
# release comes from the runtime's release file (no extra JVM start), else from the check above.
java_home=$(dirname "$(dirname "$(readlink -f "$java")")")
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home/release" 2>/dev/null | head -n 1)
feature=${feature:-${major:-0}}
if [ "$feature" -ge 24 ]; then
    native="$native --sun-misc-unsafe-memory-access=allow"
fi

# JDK 25+: an ahead-of-time cache of the classes this daemon loads, linked, with their method
# profiles (JEPs 483, 514, 515): the first poll after a start runs faster (docs/benchmarks.md).
# Training: a run that finds no cache records one, which the JDK writes as the JVM exits (about
# 2 s more, and a few lines of its own on stdout); the daemon marks it good (FILE.ok) only when it
# computed polls and stopped cleanly, and only a marked cache is used: any other is removed and
# trained again. Only a service run trains (systemd's INVOCATION_ID, or HAPROXYSTATS_AOT_DIR set
# explicitly): a run from a shell, a configuration error included, only uses a cache. Its name
# carries the runtime's release and the jars' sizes and times, so an upgrade trains a new one.
# Directory: HAPROXYSTATS_AOT_DIR, else systemd's STATE_DIRECTORY, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/haproxystats (the service user's home is /var/lib/haproxystats);
# HAPROXYSTATS_AOT=off turns it off. Nothing is written where the directory cannot be.
aot=""
train=no
if [ -n "${INVOCATION_ID:-}" ] || [ -n "${HAPROXYSTATS_AOT_DIR:-}" ]; then
    train=yes
fi
for arg in "$@"; do # -p, -P, -v, -h print and exit: they use a cache but never train one
    case "$arg" in -p|-P|-v|-h|--help|--version|--show-servers) train=no ;; esac
done
if [ "@AOT@" = yes ] && [ "$feature" -ge 25 ] && [ "${HAPROXYSTATS_AOT:-on}" != off ]; then
    aot_dir=${HAPROXYSTATS_AOT_DIR:-${STATE_DIRECTORY:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/haproxystats}}
    aot_id=$( (cat "$java_home/release" 2>/dev/null; ls -l --time-style=+%s "$lib") | cksum | cut -d' ' -f1)
    aot_file="$aot_dir/@NAME@-$aot_id.aot"
    if [ -f "$aot_file" ] && [ -f "$aot_file.ok" ]; then
        aot="-XX:AOTCache=$aot_file -Xlog:aot*=error"
    elif [ "$train" = yes ] && mkdir -p "$aot_dir" 2>/dev/null && [ -w "$aot_dir" ]; then
        rm -f "$aot_dir"/@NAME@-*.aot "$aot_dir"/@NAME@-*.aot.ok # older builds' caches too
        aot="-XX:AOTCacheOutput=$aot_file -Dhaproxystats.aot.trained=$aot_file.ok -Xlog:aot*=error"
    fi
fi

# Short-lived commands (@CDS@ = yes: haproxystats-fleet, which nagios runs against its 10 s): a
# dynamic class data sharing archive of the classes a run loads, so that later runs map them
# instead of loading and verifying them from the jars (docs/benchmarks.md has the figures).
# Training never costs the caller's run: a run of the read-only subcommand `servers` that finds no
# archive leaves a detached background shell (output discarded) that waits for that run to end
# and, only if it read Kafka (it says so by creating the file named in -Dhaproxystats.cds.ready),
# runs the same command again with -XX:ArchiveClassesAtExit; that JVM writes the archive as it
# exits (seconds on a loaded host), under a temporary name renamed into place only once complete,
# so no run ever maps half an archive. A lock directory keeps it to one training at a time (a lock
# older than 10 minutes is a dead one). The name carries the runtime's release and the jars' sizes
# and times, so an upgrade trains a new one. Directory: HAPROXYSTATS_CDS_DIR, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/haproxystats (nagios' home); where it cannot be written every run
# goes without. HAPROXYSTATS_CDS=off turns it off. The JVM's own messages about it are off: the
# first line of the output is nagios' status line.
cds=""
cds_train=""
if [ "@CDS@" = yes ] && [ "${HAPROXYSTATS_CDS:-on}" != off ]; then
    cds_dir=${HAPROXYSTATS_CDS_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/haproxystats}
    cds_id=$( (cat "$java_home/release" 2>/dev/null; ls -l --time-style=+%s "$lib") | cksum | cut -d' ' -f1)
    cds_file="$cds_dir/@NAME@-$cds_id.jsa"
    cds_quiet="-Xlog:cds=off -Xlog:cds+dynamic=off"
    if [ -f "$cds_file" ]; then
        cds="-XX:SharedArchiveFile=$cds_file $cds_quiet"
    elif [ "${1:-}" = servers ] && mkdir -p "$cds_dir" 2>/dev/null; then
        find "$cds_dir" -maxdepth 1 -name '@NAME@-*.lock' -mmin +10 -exec rm -rf {} + 2>/dev/null || true
        if mkdir "$cds_file.lock" 2>/dev/null; then
            rm -f "$cds_dir"/@NAME@-*.jsa # older builds' archives
            cds_train="-XX:ArchiveClassesAtExit=$cds_file.tmp $cds_quiet"
        fi
    fi
fi

# -XX:+ExitOnOutOfMemoryError is not one of the overridable options: a JVM that ran out of heap
# in any thread (a library's, the JDK's watch service) is half alive; it must exit (with 3) so
# that the service manager restarts it, never go on without that thread.
# shellcheck disable=SC2086 # word splitting of the options is intended
if [ -n "$cds_train" ]; then
    cds_ready="$cds_file.ready.$$"
    (
        while kill -0 $$ 2>/dev/null; do sleep 0.2; done # this run first: the training never competes with it
        if [ -f "$cds_ready" ]; then
            "$java" -XX:+ExitOnOutOfMemoryError $native $cds_train ${HAPROXYSTATS_JAVA_OPTS:-@DEFAULT_JAVA_OPTS@} \
                -cp "$lib/*" @MAIN_CLASS@ "$@" || true
            if [ -s "$cds_file.tmp" ]; then mv -f "$cds_file.tmp" "$cds_file"; fi
        fi
        rm -rf "$cds_ready" "$cds_file.tmp" "$cds_file.lock"
    ) </dev/null >/dev/null 2>&1 &
    cds="-Dhaproxystats.cds.ready=$cds_ready"
fi
# shellcheck disable=SC2086 # word splitting of the options is intended
exec "$java" -XX:+ExitOnOutOfMemoryError $native $aot $cds ${HAPROXYSTATS_JAVA_OPTS:-@DEFAULT_JAVA_OPTS@} -cp "$lib/*" @MAIN_CLASS@ "$@"
