#!/usr/bin/env bash
# mqctl passwd against mosquitto_passwd, side by side in one run.
#   -U on a 10,000-user plain-text file at equal work (-I 101: 2.0's mosquitto_passwd -U always uses 101)
#   one -b add, and `mqctl --version`, against a bare `node -e 0`
# Targets (issue 2): -U at least 1.5x faster than mosquitto_passwd; --version within 1.5x and
# one -b add within 2x of `node -e 0`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
command -v mosquitto_passwd >/dev/null || { echo "mosquitto_passwd not found: apt-get install -y mosquitto" >&2; exit 1; }
[ -f "$here/../dist/main.js" ] || { echo "build first: npm run build" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
users=${USERS:-10000}
runs=${RUNS:-3}

for ((i = 0; i < users; i++)); do echo "user$i:password$i"; done > plain.txt
echo "passwd -U, $users users, 101 iterations (median of $runs)"
up_mosq=$(median_ms "$runs" bash -c 'cp plain.txt m.txt && mosquitto_passwd -U m.txt')
up_mqctl=$(median_ms "$runs" bash -c "cp plain.txt q.txt && $MQCTL passwd -I 101 -U q.txt")
cp plain.txt check.txt && $MQCTL passwd -I 101 -U check.txt >/dev/null
printf '  mosquitto_passwd -U      %6d ms\n  mqctl passwd -I 101 -U   %6d ms\n  speed-up                 %sx (target >= 1.5)\n' \
  "$up_mosq" "$up_mqctl" "$(ratio "$up_mosq" "$up_mqctl")"

runs=${STARTUP_RUNS:-15}
: > f.txt
node_ms=$(median_ms "$runs" node -e 0)
version_ms=$(median_ms "$runs" "$MQCTL" --version)
add_mqctl=$(median_ms "$runs" "$MQCTL" passwd -b f.txt alice secret)
add_mosq=$(median_ms "$runs" mosquitto_passwd -b f.txt alice secret)
echo "start-up (median of $runs)"
printf '  node -e 0                %6d ms\n' "$node_ms"
printf '  mqctl --version          %6d ms  %sx node (target <= 1.5)\n' "$version_ms" "$(ratio "$version_ms" "$node_ms")"
printf '  mqctl passwd -b (add)    %6d ms  %sx node (target <= 2)\n' "$add_mqctl" "$(ratio "$add_mqctl" "$node_ms")"
printf '  mosquitto_passwd -b      %6d ms  (mqctl / mosquitto_passwd: %sx)\n' "$add_mosq" "$(ratio "$add_mqctl" "$add_mosq")"
