#!/usr/bin/env bash
# Across hosts: the demo producer in one network namespace, the demo consumer in another, the two joined only
# by a veth pair (10.254.79.1/30 and 10.254.79.2/30). The bridge carries the topic over Aeron UDP: its out
# side beside the producer, its in side beside the consumer, each on its own bus directory. The consumer
# verifies every message (no loss, duplicate, reordering or corruption).
#
#   examples/across-hosts.sh [MESSAGES]     default: 1000000 messages; needs root (ip netns, ip link)
#
# Exit code 0 only when the consumer verified every message. Builds first when the jar is stale. The
# namespaces, the veth pair and the bus directories are removed on exit.
set -uo pipefail
SHMBUS_SCRIPT=across-hosts
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

case "${1:-}" in -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
messages=${1:-1000000}
if ! [[ "$messages" =~ ^[0-9]+$ ]] || [ "$messages" -lt 1 ]; then
  echo "across-hosts: MESSAGES must be a positive number: $messages" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
  echo "across-hosts: needs root and iproute2 (ip) to make network namespaces" >&2
  exit 2
fi

ns_a="shmbus-ah-a-$$"
ns_b="shmbus-ah-b-$$"
veth_a="shah$$a"
veth_b="shah$$b"
addr_a=10.254.79.1
addr_b=10.254.79.2
data_channel="aeron:udp?endpoint=$addr_b:40456"
ack_channel="aeron:udp?endpoint=$addr_a:40457"
bridge_main=io.shmbus.aeron.bridge.BridgeMain

_across_cleanup() {
  _shmbus_cleanup
  # Deleting a namespace removes the veth end inside it, and with it the pair.
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
}
trap _across_cleanup EXIT

# across_start NAMESPACE NAME MAIN_CLASS [ARGS...]: a JVM inside a namespace, in the background.
across_start() {
  local ns=$1 name=$2 main=$3
  shift 3
  ip netns exec "$ns" "$JAVA_HOME/bin/java" "${SHMBUS_JVM_FLAGS[@]}" -Xmx256m -cp "$SHMBUS_JAR" "$main" "$@" \
    </dev/null &
  SHMBUS_PIDS+=("$!")
  SHMBUS_NAMES+=("$name")
}

shmbus_build_if_stale
shmbus_new_bus
bus_a="$SHMBUS_WORK/host-a"
bus_b="$SHMBUS_WORK/host-b"
mkdir -p "$bus_a" "$bus_b"

ip netns add "$ns_a" && ip netns add "$ns_b" &&
  ip link add "$veth_a" type veth peer name "$veth_b" &&
  ip link set "$veth_a" netns "$ns_a" && ip link set "$veth_b" netns "$ns_b" &&
  ip -n "$ns_a" addr add "$addr_a/30" dev "$veth_a" && ip -n "$ns_b" addr add "$addr_b/30" dev "$veth_b" &&
  ip -n "$ns_a" link set "$veth_a" up && ip -n "$ns_b" link set "$veth_b" up &&
  ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up || {
  shmbus_say "could not make the namespaces and the veth pair" >&2
  exit 2
}
shmbus_say "namespace $ns_a ($addr_a): producer, bridge out; namespace $ns_b ($addr_b): bridge in, consumer"

across_start "$ns_b" consumer io.shmbus.examples.ConsumerMain --dir "$bus_b" --quiet \
  --ready-file "$(shmbus_ready_file consumer)"
shmbus_await_ready consumer
across_start "$ns_b" bridge-in "$bridge_main" in --dir "$bus_b" --topic demo \
  --channel "$data_channel" --ack-channel "$ack_channel" --ready-file "$(shmbus_ready_file bridge-in)"
across_start "$ns_a" producer io.shmbus.examples.ProducerMain --dir "$bus_a" --messages "$messages" \
  --ready-file "$(shmbus_ready_file producer)" --start-file "$SHMBUS_WORK/start"
shmbus_await_ready bridge-in producer
across_start "$ns_a" bridge-out "$bridge_main" out --dir "$bus_a" --topic demo \
  --channel "$data_channel" --ack-channel "$ack_channel" --ready-file "$(shmbus_ready_file bridge-out)"
shmbus_await_ready bridge-out
touch "$SHMBUS_WORK/start"

# The producer and the consumer end by themselves; the bridges run until stopped.
consumer_pid=${SHMBUS_PIDS[0]}
producer_pid=${SHMBUS_PIDS[2]}
wait "$producer_pid"
producer_rc=$?
wait "$consumer_pid"
consumer_rc=$?
shmbus_say "bridge in side:"
"$JAVA_HOME/bin/java" "${SHMBUS_JVM_FLAGS[@]}" -cp "$SHMBUS_JAR" "$bridge_main" status \
  --state "$bus_b/.bridge-in-demo/in-demo.state" | sed 's/^/    /'
shmbus_stop_all
if [ "$producer_rc" -eq 0 ] && [ "$consumer_rc" -eq 0 ]; then
  shmbus_say "PASSED: the consumer in $ns_b verified all $messages messages sent from $ns_a through the bridge"
  exit 0
fi
shmbus_say "FAILED: producer exited with $producer_rc, consumer with $consumer_rc" >&2
exit 1
