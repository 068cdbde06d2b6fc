#!/usr/bin/env bash
# Checks that docker-compose.yml is a valid Compose file, every profile included, with `docker-compose config`
# (Debian's docker-compose 1.29) or `docker compose config`. Needs no Docker engine and takes a second.
# Skips, with exit code 0 and a message saying so, when neither command is installed.
#
#   examples/check-compose.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

checked=0
check() {
  local out
  if ! out=$("$@" -f "$root/docker-compose.yml" --profile sidecar --profile kill config -q 2>&1); then
    printf '%s\n' "$out" >&2
    echo "check-compose: FAILED: $* config rejects docker-compose.yml" >&2
    exit 1
  fi
  echo "check-compose: $* config accepts docker-compose.yml (all profiles)"
  checked=$((checked + 1))
}

if command -v docker-compose >/dev/null 2>&1; then
  check docker-compose
fi
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  check docker compose
fi
if [ "$checked" -eq 0 ]; then
  echo "check-compose: SKIPPED: neither docker-compose nor the docker compose plugin is installed"
fi
exit 0
