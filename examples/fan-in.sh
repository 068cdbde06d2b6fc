#!/usr/bin/env bash
# Fan-in: PUBLISHERS producers, one consumer, each in its own JVM. The producers share the topic (shared
# publishers), start publishing together and number their messages independently; the consumer verifies
# each producer's stream.
#
#   examples/fan-in.sh [PUBLISHERS [MESSAGES_EACH]]     default: 3 publishers, 1000000 messages each
#
# Exit code 0 only when the consumer verified every message of every producer. Builds first when the jar
# is stale.
set -uo pipefail
SHMBUS_SCRIPT=fan-in
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

case "${1:-}" in -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
publishers=${1:-3}
messages=${2:-1000000}
if ! [[ "$publishers" =~ ^[0-9]+$ ]] || [ "$publishers" -lt 1 ] || [ "$publishers" -gt 16 ]; then
  echo "fan-in: PUBLISHERS must be 1 to 16 (the demo topic's publisher slots): $publishers" >&2
  exit 2
fi

shmbus_build_if_stale
shmbus_new_bus
shmbus_say "bus directory $SHMBUS_BUS (removed on exit); $publishers producers, 1 consumer, one JVM each"
shmbus_start consumer ConsumerMain --producers "$publishers" --ready-file "$(shmbus_ready_file consumer)"
shmbus_await_ready consumer
# The producers attach, then wait for one start signal, so that they publish at the same time.
producers=()
for ((i = 0; i < publishers; i++)); do
  producers+=("producer-$i")
  shmbus_start "producer-$i" ProducerMain --shared --producer-index "$i" --messages "$messages" \
    --ready-file "$(shmbus_ready_file "producer-$i")" --start-file "$SHMBUS_WORK/start"
done
shmbus_await_ready "${producers[@]}"
touch "$SHMBUS_WORK/start"
if shmbus_wait_all; then
  shmbus_say "PASSED: the consumer verified all $((publishers * messages)) messages of $publishers producers"
  exit 0
fi
shmbus_say "FAILED" >&2
exit 1
