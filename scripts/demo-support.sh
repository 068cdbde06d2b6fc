# shellcheck shell=bash
# Shared by ./demo and examples/*.sh: pick a JDK 25, build, start demo JVMs over a fresh bus directory,
# wait for them, and on exit stop whatever is still running and remove the bus directory.
#
# The sourcing script sets SHMBUS_SCRIPT (its name, for messages) first.

SHMBUS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/java25.sh
source "$SHMBUS_ROOT/scripts/java25.sh"

SHMBUS_JAR="$SHMBUS_ROOT/examples/target/shmbus-examples.jar"
# Agrona's UnsafeBuffer needs jdk.internal.misc opened; the futex, fcntl and memfd calls need native access.
SHMBUS_JVM_FLAGS=(--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
SHMBUS_WORK=""
SHMBUS_BUS=""
SHMBUS_PIDS=()
SHMBUS_NAMES=()

shmbus_say() {
  printf '%s: %s\n' "${SHMBUS_SCRIPT:-shmbus}" "$*"
}

# Build every module and the examples' executable jar; tests are left to `mvn -B install`. Maven's output is
# shown only when the build fails.
shmbus_build() {
  local log
  if ! command -v mvn >/dev/null 2>&1; then
    shmbus_say "needs Maven 3.8 or newer (mvn) on PATH" >&2
    exit 2
  fi
  shmbus_say "building (mvn -B -q install -DskipTests)"
  log=$(mktemp "${TMPDIR:-/tmp}/shmbus-build.XXXXXX") || exit 2
  # The flag quiets sun.misc.Unsafe warnings that Maven's own libraries trigger on JDK 24 and newer.
  if ! (cd "$SHMBUS_ROOT" &&
        MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
          mvn -B -q install -DskipTests </dev/null >"$log" 2>&1); then
    cat "$log" >&2
    rm -f -- "$log"
    shmbus_say "build failed" >&2
    exit 2
  fi
  rm -f -- "$log"
}

# Build only when the jar is missing or older than a source file or pom.
shmbus_build_if_stale() {
  local newer=""
  if [ -f "$SHMBUS_JAR" ]; then
    newer=$(find "$SHMBUS_ROOT" \( -name target -o -name .git \) -prune -o \
      -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
      -newer "$SHMBUS_JAR" -print -quit)
  fi
  if [ ! -f "$SHMBUS_JAR" ] || [ -n "$newer" ]; then
    shmbus_build
  fi
}

# Make a fresh, private bus directory: on /dev/shm (tmpfs) when it is there, else in $TMPDIR.
shmbus_new_bus() {
  local base=/dev/shm
  if [ ! -d "$base" ] || [ ! -w "$base" ]; then
    base=${TMPDIR:-/tmp}
  fi
  SHMBUS_WORK=$(mktemp -d "$base/shmbus-${SHMBUS_SCRIPT:-demo}.XXXXXX") || exit 2
  SHMBUS_BUS="$SHMBUS_WORK/bus"
}

# shmbus_start NAME MAIN_CLASS [ARGS...]: start io.shmbus.examples.MAIN_CLASS in its own JVM, in the background.
shmbus_start() {
  local name=$1 main=$2
  shift 2
  "$JAVA_HOME/bin/java" "${SHMBUS_JVM_FLAGS[@]}" -Xmx256m -cp "$SHMBUS_JAR" "io.shmbus.examples.$main" \
    --dir "$SHMBUS_BUS" "$@" </dev/null &
  SHMBUS_PIDS+=("$!")
  SHMBUS_NAMES+=("$name")
}

# shmbus_ready_file NAME: the path a demo started as NAME creates once attached (its --ready-file).
shmbus_ready_file() {
  printf '%s/%s.ready' "$SHMBUS_WORK" "$1"
}

# shmbus_await_ready NAME...: wait until the demos started under these names have attached, so that what
# starts next finds them (a subscriber sees what is published after it attached). Exits 2 when one of
# them ends first, or after 60 s.
shmbus_await_ready() {
  local name pid state waited=0 pending
  while :; do
    pending=0
    for name in "$@"; do
      [ -e "$(shmbus_ready_file "$name")" ] || pending=1
    done
    [ "$pending" -eq 0 ] && return 0
    for pid in "${SHMBUS_PIDS[@]}"; do
      state=$(_shmbus_state "$pid")
      if [ -z "$state" ] || [ "$state" = Z ]; then
        shmbus_say "a demo JVM ended before the others were ready" >&2
        exit 2
      fi
    done
    if [ "$waited" -ge 600 ]; then
      shmbus_say "gave up: not attached after 60 s: $*" >&2
      exit 2
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Stop every started JVM that still runs: TERM, then KILL after 5 s.
shmbus_stop_all() {
  local pid waited=0 running
  for pid in "${SHMBUS_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  while :; do
    running=0
    for pid in "${SHMBUS_PIDS[@]}"; do
      if kill -0 "$pid" 2>/dev/null && [ "$(_shmbus_state "$pid")" != Z ]; then
        running=1
      fi
    done
    [ "$running" -eq 0 ] && break
    if [ "$waited" -ge 50 ]; then
      for pid in "${SHMBUS_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null
      done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in "${SHMBUS_PIDS[@]}"; do
    wait "$pid" 2>/dev/null
  done
  SHMBUS_PIDS=()
  SHMBUS_NAMES=()
}

_shmbus_state() {
  # The scheduler state of a process (R, S, Z, ...) from /proc, or nothing when it is gone.
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  printf '%s' "${stat%% *}"
}

# Wait for every started JVM. When one fails, stop the others at once. Returns 0 when all exited with 0,
# else the first non-zero exit code; SHMBUS_EXIT[NAME] holds each one's exit code.
shmbus_wait_all() {
  declare -gA SHMBUS_EXIT=()
  local first_failure=0 i pid rc remaining=${#SHMBUS_PIDS[@]}
  local -A finished=()
  while [ "$remaining" -gt 0 ]; do
    for i in "${!SHMBUS_PIDS[@]}"; do
      pid=${SHMBUS_PIDS[$i]}
      [ -n "${finished[$pid]:-}" ] && continue
      case "$(_shmbus_state "$pid")" in
        "" | Z) ;;
        *) continue ;;
      esac
      wait "$pid"
      rc=$?
      finished[$pid]=1
      remaining=$((remaining - 1))
      SHMBUS_EXIT[${SHMBUS_NAMES[$i]}]=$rc
      if [ "$rc" -ne 0 ] && [ "$first_failure" -eq 0 ]; then
        first_failure=$rc
        if [ "$remaining" -gt 0 ]; then
          shmbus_say "${SHMBUS_NAMES[$i]} exited with code $rc: stopping the others" >&2
          shmbus_stop_all
          remaining=0
          break
        fi
      fi
    done
    [ "$remaining" -gt 0 ] && sleep 0.1
  done
  SHMBUS_PIDS=()
  SHMBUS_NAMES=()
  return "$first_failure"
}

_shmbus_cleanup() {
  if [ "${#SHMBUS_PIDS[@]}" -gt 0 ]; then
    shmbus_stop_all
  fi
  if [ -n "$SHMBUS_WORK" ]; then
    rm -rf -- "$SHMBUS_WORK"
  fi
}

trap _shmbus_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
