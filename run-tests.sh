#!/usr/bin/env bash
# Runs every test: unit tests (surefire) and the integration tests against real HAProxy and
# carbon-c-relay processes (failsafe, *IT). Fails when any test fails. Run ./setup.sh first.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f .java-home ]; then
    JAVA_HOME=$(cat .java-home)
    export JAVA_HOME
fi
exec mvn -B verify "$@"
