#!/usr/bin/env bash
# A trading pipeline in separate JVMs, every message SBE-encoded in place in the ring: a feed handler
# publishes quotes and trades at a set rate on a market data topic; STRATEGIES strategies each read every one
# and order on some quotes through a shared order topic (fan-in); a gateway answers each order with an
# execution report on a topic of each strategy. Each strategy prints its tick-to-order and order-to-report
# latency (p50, p99, p99.9, max); the run prints the CPU it used and writes a PNG chart of the latencies.
#
#   examples/trading.sh [--strategies N] [--rate MSGS_PER_S] [--seconds S] [--order-every Q]
#                       [--idle futex|spin|backoff|yield] [--chart PNG]
#
#   defaults: 3 strategies, 10000 msgs/s for 20 s, an order on about one quote in 20 per strategy, --idle futex
#   (every JVM sleeps when idle), chart in examples/target/trading-latency.png. --idle spin busy-spins: one
#   core per JVM while it runs.
#
# Exit code 0 only when every strategy and the gateway checked every message (sequence and content): none
# lost, duplicated or misread. Builds first when the jar is stale.
set -uo pipefail
SHMBUS_SCRIPT=trading
# shellcheck source=scripts/demo-support.sh
source "$(dirname "$0")/../scripts/demo-support.sh"

strategies=3
rate=10000
seconds=20
order_every=20
idle=futex
chart="$SHMBUS_ROOT/examples/target/trading-latency.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --strategies) strategies=${2:?"$1 needs a count"}; shift 2 ;;
    --rate) rate=${2:?"$1 needs messages per second"}; shift 2 ;;
    --seconds) seconds=${2:?"$1 needs a duration"}; shift 2 ;;
    --order-every) order_every=${2:?"$1 needs a count of quotes"}; shift 2 ;;
    --idle) idle=${2:?"$1 needs futex, spin, backoff or yield"}; shift 2 ;;
    --chart) chart=${2:?"$1 needs a file name"}; shift 2 ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "trading: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
for value in "$strategies" "$rate" "$seconds" "$order_every"; do
  if ! [[ "$value" =~ ^[0-9]+$ ]]; then
    echo "trading: --strategies, --rate, --seconds and --order-every take whole numbers: $value" >&2
    exit 2
  fi
done
if [ "$strategies" -lt 1 ] || [ "$strategies" -gt 15 ]; then
  echo "trading: --strategies must be 1 to 15: $strategies" >&2
  exit 2
fi
if [ "$rate" -lt 1 ] || [ "$seconds" -lt 1 ]; then
  echo "trading: --rate and --seconds must be at least 1: $rate, $seconds" >&2
  exit 2
fi
case "$idle" in futex | spin | backoff | yield) ;; *)
  echo "trading: --idle must be futex, spin, backoff or yield: $idle" >&2; exit 2 ;;
esac
messages=$((rate * seconds))

shmbus_build_if_stale
shmbus_new_bus
report="$SHMBUS_WORK/report"
common=(--messages "$messages" --strategies "$strategies" --order-every "$order_every" --idle "$idle"
  --report-dir "$report")
shmbus_say "bus directory $SHMBUS_BUS (removed on exit); feed handler, $strategies strategies and a gateway," \
  "one JVM each, idle $idle; $messages market data messages at $rate msgs/s"
shmbus_start gateway GatewayMain "${common[@]}" --ready-file "$(shmbus_ready_file gateway)"
shmbus_await_ready gateway
names=()
for ((i = 0; i < strategies; i++)); do
  names+=("strategy-$i")
  shmbus_start "strategy-$i" StrategyMain "${common[@]}" --id "$i" --ready-file "$(shmbus_ready_file "strategy-$i")"
done
shmbus_await_ready "${names[@]}"
shmbus_start feed FeedMain "${common[@]}" --rate "$rate"
if ! shmbus_wait_all; then
  shmbus_say "FAILED: a strategy or the gateway found a message lost, duplicated or misread, or a JVM failed" >&2
  exit 1
fi
if ! "$JAVA_HOME/bin/java" -Djava.awt.headless=true -cp "$SHMBUS_JAR" io.shmbus.examples.TradingReport \
    --report-dir "$report" --strategies "$strategies" --chart "$chart" </dev/null; then
  shmbus_say "FAILED: no report" >&2
  exit 1
fi
shmbus_say "PASSED: $strategies strategies and the gateway checked every message: none lost, duplicated or misread"
exit 0
