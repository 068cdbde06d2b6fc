#!/usr/bin/env bash
# Runs the container scenarios of docker-compose.yml for real, on a machine that cannot pull images:
#
#   1. a producer and a consumer in two containers sharing a tmpfs volume; the consumer verifies every message;
#   2. a sidecar joins an anonymous (memfd) topic of an application container through a Unix socket on a
#      shared volume: the peer-credential check lets the allowed uid in and refuses another uid;
#   3. a consumer's container is killed with docker kill: a watcher in another container sees it dead through
#      its lock at once, and the stream goes on to the surviving consumer, which verifies every message.
#
#   examples/containers-test.sh [--keep-base]
#
# Needs root. Installs docker.io, docker-compose and debootstrap with apt-get when missing; starts dockerd
# (without a bridge or iptables rules: no service needs a network) when none runs, and stops it at the end;
# builds a base image from Debian packages (debootstrap --variant=minbase, docker import) plus this machine's
# JDK 25, and the examples image on it (the Dockerfile's BASE_IMAGE argument). Removes its containers,
# volumes and the images it built on exit, also on failure; --keep-base keeps the base image for the next run
# (and reuses one that is there; without it, such a leftover is rebuilt and removed). Set SHMBUS_DEBIAN_MIRROR
# to use another Debian mirror. Takes 4 to 5.5 minutes on 2 busy cores, 2.5 to 3 of them for debootstrap.
set -uo pipefail
SHMBUS_SCRIPT=containers-test
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

keep_base=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-base) keep_base=1; shift ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "containers-test: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "containers-test: needs root (apt-get, dockerd, debootstrap): run it with sudo" >&2
  exit 2
fi

started=$(date +%s)
project=shmbus-containers
base_image=shmbus-base:local
examples_image=shmbus-examples:local
work=$(mktemp -d "${TMPDIR:-/var/tmp}/shmbus-containers.XXXXXX") || exit 2
dockerd_pid=""
built_base=0
built_examples=0
failed=0
compose=()

say() {
  printf 'containers-test: [%4ds] %s\n' "$(($(date +%s) - started))" "$*"
}

fail() {
  say "FAILED: $*" >&2
  failed=1
}

compose_all() {
  # Every service of every profile, so that down and logs see them all.
  "${compose[@]}" -p "$project" -f "$SHMBUS_ROOT/docker-compose.yml" --profile sidecar --profile kill "$@"
}

cleanup() {
  local waited=0
  if [ "${#compose[@]}" -gt 0 ] && [ -n "$(docker info --format '{{.ServerVersion}}' 2>/dev/null)" ]; then
    compose_all down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1
    if [ "$built_examples" -eq 1 ]; then
      docker rmi "$examples_image" >/dev/null 2>&1
    fi
    if [ "$built_base" -eq 1 ] && [ "$keep_base" -eq 0 ]; then
      docker rmi "$base_image" >/dev/null 2>&1
    fi
  fi
  if [ -n "$dockerd_pid" ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    while kill -0 "$dockerd_pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$dockerd_pid" 2>/dev/null
    say "stopped the dockerd it started"
  fi
  rm -rf -- "$work"
  _shmbus_cleanup
}
trap cleanup EXIT

# --- Tools ---------------------------------------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
      >"$work/apt.log" 2>&1; then
    cat "$work/apt.log" >&2
    fail "apt-get install ${missing[*]}"
    exit 2
  fi
fi
if command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  compose=(docker compose)
fi

# --- Docker engine -------------------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (no bridge, no iptables rules; log in $work/dockerd.log)"
  dockerd --bridge=none --iptables=false --ip-masq=false --pidfile "$work/dockerd.pid" \
    >"$work/dockerd.log" 2>&1 </dev/null &
  dockerd_pid=$!
  for ((i = 0; i < 600; i++)); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      cat "$work/dockerd.log" >&2
      dockerd_pid=""
      fail "dockerd did not start"
      exit 2
    fi
    sleep 0.1
  done
  docker info >/dev/null 2>&1 || { fail "dockerd not ready after 60 s"; exit 2; }
fi
say "docker engine $(docker info --format '{{.ServerVersion}}'), $(${compose[@]} version 2>/dev/null | head -n 1)"

# --- Images --------------------------------------------------------------------------------------------------
shmbus_build_if_stale
if [ "$keep_base" -eq 1 ] && docker image inspect "$base_image" >/dev/null 2>&1; then
  say "reusing the base image $base_image (--keep-base)"
else
  if docker image inspect "$base_image" >/dev/null 2>&1; then
    say "removing the base image an earlier --keep-base run left, to build it afresh"
    docker rmi "$base_image" >/dev/null || { fail "docker rmi $base_image"; exit 1; }
  fi
  suite=bookworm
  if [ -r /etc/os-release ] && grep -q '^ID=debian' /etc/os-release; then
    suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
  fi
  mirror=${SHMBUS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  say "building the base image $base_image: debootstrap --variant=minbase $suite from $mirror, plus $JAVA_HOME"
  if ! debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    fail "debootstrap"
    exit 1
  fi
  # What a runtime image does not need: package caches, documentation, manual pages.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
    "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"*
  mkdir -p "$work/rootfs/opt/java"
  cp -a "$JAVA_HOME" "$work/rootfs/opt/java/openjdk"
  rm -rf "$work/rootfs/opt/java/openjdk/man" "$work/rootfs/opt/java/openjdk/lib/src.zip"
  if ! tar -C "$work/rootfs" -c . | docker import \
      --change 'ENV JAVA_HOME=/opt/java/openjdk' \
      --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      - "$base_image" >/dev/null; then
    fail "docker import"
    exit 1
  fi
  built_base=1
  rm -rf "$work/rootfs"
  say "base image $base_image: $(docker image inspect --format '{{.Size}}' "$base_image" | awk '{printf "%.0f MB", $1 / 1e6}')"
fi
say "building $examples_image on $base_image (build argument BASE_IMAGE)"
if ! SHMBUS_BASE_IMAGE=$base_image compose_all build producer >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  fail "docker build"
  exit 1
fi
built_examples=1

container_of() {
  compose_all ps -q "$1"
}

# await_log SERVICE TEXT SECONDS: wait until the service's output holds TEXT.
await_log() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if compose_all logs --no-color "$1" 2>/dev/null | grep -q -- "$2"; then
      return 0
    fi
    sleep 0.1
  done
  fail "$1 did not print \"$2\" in $3 s"
  compose_all logs --no-color "$1" >&2
  return 1
}

# exit_code SERVICE: wait for the service's container to end; print its exit code.
exit_code() {
  docker wait "$(container_of "$1")"
}

show() {
  # The service's own output lines (its lifecycle log lines start with a time stamp).
  compose_all logs --no-color "$1" 2>/dev/null | sed -n 's/^[^|]*| //p' | grep -v '^[0-9][0-9]:[0-9][0-9]:' |
    sed 's/^/    /'
}

# --- 1. Producer and consumer --------------------------------------------------------------------------------
scenario_started=$(date +%s)
say "scenario 1: producer and consumer containers sharing a tmpfs volume"
if compose_all up -d producer consumer >"$work/up.log" 2>&1; then
  consumer_rc=$(exit_code consumer)
  producer_rc=$(exit_code producer)
  show consumer | tail -n 3
  if [ "$consumer_rc" = 0 ] && [ "$producer_rc" = 0 ]; then
    say "scenario 1 PASSED in $(($(date +%s) - scenario_started)) s: the consumer verified every message"
  else
    fail "scenario 1: consumer exit code $consumer_rc, producer exit code $producer_rc"
    show producer
  fi
else
  cat "$work/up.log" >&2
  fail "scenario 1: docker-compose up"
fi
compose_all down --volumes --timeout 5 >/dev/null 2>&1

# --- 2. Sidecar ----------------------------------------------------------------------------------------------
scenario_started=$(date +%s)
say "scenario 2: a sidecar joins an anonymous topic of the application through a Unix socket"
if compose_all up -d app >"$work/up.log" 2>&1 && await_log app "offering anonymous topic" 60; then
  intruder_rc=0
  compose_all run --rm -T intruder >"$work/intruder.out" 2>&1 || intruder_rc=$?
  sidecar_rc=0
  compose_all run --rm -T sidecar >"$work/sidecar.out" 2>&1 || sidecar_rc=$?
  app_rc=$(exit_code app)
  show app
  cat "$work/intruder.out" "$work/sidecar.out" | grep -v -e '^[0-9][0-9]:[0-9][0-9]:' -e '^Creating ' |
    sed 's/^/    /'
  if [ "$intruder_rc" = 0 ] && [ "$sidecar_rc" = 0 ] && [ "$app_rc" = 0 ] &&
      grep -q "not on the allow-list" "$work/intruder.out"; then
    say "scenario 2 PASSED in $(($(date +%s) - scenario_started)) s: uid 2000 let in and verified the stream," \
      "uid 3000 refused by the peer-credential check"
  else
    fail "scenario 2: intruder exit code $intruder_rc, sidecar $sidecar_rc, app $app_rc"
    cat "$work/intruder.out" "$work/sidecar.out" >&2
  fi
else
  cat "$work/up.log" >&2
  fail "scenario 2: the application did not start"
fi
compose_all down --volumes --timeout 5 >/dev/null 2>&1

# --- 3. Kill -------------------------------------------------------------------------------------------------
scenario_started=$(date +%s)
say "scenario 3: a consumer's container killed in the middle of the stream"
if compose_all up -d survivor victim watch stream >"$work/up.log" 2>&1 &&
    await_log watch "watching their locks" 90; then
  sleep 3
  victim=$(container_of victim)
  kill_ns=$(date +%s%N)
  docker kill "$victim" >/dev/null
  killed_ns=$(date +%s%N)
  watch_rc=$(exit_code watch)
  survivor_rc=$(exit_code survivor)
  stream_rc=$(exit_code stream)
  show watch
  show survivor | tail -n 2
  show stream | tail -n 1
  seen_ns=$(compose_all logs --no-color watch 2>/dev/null | sed -n 's/.*seen dead at epoch-ns \([0-9]*\).*/\1/p' |
    head -n 1)
  if [ -n "$seen_ns" ]; then
    say "the watcher saw the victim dead $(((seen_ns - kill_ns) / 1000000)) ms after docker kill was called" \
      "($(((killed_ns - kill_ns) / 1000000)) ms for docker kill to return)"
  fi
  if [ "$watch_rc" = 0 ] && [ "$survivor_rc" = 0 ] && [ "$stream_rc" = 0 ]; then
    say "scenario 3 PASSED in $(($(date +%s) - scenario_started)) s: the stream went on, the survivor verified" \
      "every message"
  else
    fail "scenario 3: watch exit code $watch_rc, survivor $survivor_rc, producer $stream_rc"
    compose_all logs --no-color stream survivor >&2
  fi
else
  cat "$work/up.log" >&2
  fail "scenario 3: the containers did not start"
fi
compose_all down --volumes --timeout 5 >/dev/null 2>&1

if [ "$failed" -ne 0 ]; then
  say "FAILED (see above); cleaning up"
  exit 1
fi
say "PASSED: all three scenarios in $(($(date +%s) - started)) s (cleanup follows)"
exit 0
