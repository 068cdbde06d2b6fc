#!/usr/bin/env bash
# Round-trip latency of 32-byte messages between two JVMs: pong echoes every message of ping, ping
# records each round trip in an HdrHistogram and prints p50/p90/p99/p99.9/max after a warm-up.
#
#   examples/ping-pong.sh [PING_OPTIONS...]     e.g. --iterations 200000 --idle spin
#
# Ping's options: --warmup COUNT, --iterations COUNT, --idle futex|backoff|yield|spin (all of them: java -jar
# examples/target/shmbus-examples.jar ping --help). Pong gets the same --idle. Builds first when the jar is
# missing or older than the sources.
set -uo pipefail
SHMBUS_SCRIPT=ping-pong
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

idle=futex
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    --idle) idle=${args[$((i + 1))]:-futex} ;;
    --idle=*) idle=${args[$i]#--idle=} ;;
  esac
done

shmbus_build_if_stale
shmbus_new_bus
shmbus_say "bus directory $SHMBUS_BUS (removed on exit); pong and ping in two JVMs"
shmbus_start pong PongMain --idle "$idle" --ready-file "$(shmbus_ready_file pong)"
shmbus_await_ready pong
shmbus_start ping PingMain "$@"
shmbus_wait_all
