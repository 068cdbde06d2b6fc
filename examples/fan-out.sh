#!/usr/bin/env bash
# Fan-out: one producer, SUBSCRIBERS consumers, each in its own JVM. The consumers attach first, then the
# producer starts; every consumer verifies the whole stream on its own, and the producer goes at the pace
# of the slowest (tethered subscribers).
#
#   examples/fan-out.sh [SUBSCRIBERS [MESSAGES]]     default: 3 subscribers, 2000000 messages
#
# Exit code 0 only when every consumer verified every message. Builds first when the jar is stale.
set -uo pipefail
SHMBUS_SCRIPT=fan-out
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

case "${1:-}" in -h | --help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
subscribers=${1:-3}
messages=${2:-2000000}
if ! [[ "$subscribers" =~ ^[0-9]+$ ]] || [ "$subscribers" -lt 1 ] || [ "$subscribers" -gt 16 ]; then
  echo "fan-out: SUBSCRIBERS must be 1 to 16 (the demo topic's subscriber slots): $subscribers" >&2
  exit 2
fi

shmbus_build_if_stale
shmbus_new_bus
shmbus_say "bus directory $SHMBUS_BUS (removed on exit); 1 producer, $subscribers consumers, one JVM each"
consumers=()
for ((i = 1; i <= subscribers; i++)); do
  consumers+=("consumer-$i")
  shmbus_start "consumer-$i" ConsumerMain --quiet --name "consumer-$i" --ready-file "$(shmbus_ready_file "consumer-$i")"
done
shmbus_await_ready "${consumers[@]}"
shmbus_start producer ProducerMain --messages "$messages"
if shmbus_wait_all; then
  shmbus_say "PASSED: $subscribers consumers each verified all $messages messages"
  exit 0
fi
shmbus_say "FAILED" >&2
exit 1
