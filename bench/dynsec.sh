#!/usr/bin/env bash
# mqctl dynsec against mosquitto_ctrl, side by side in one run, on a private broker:
# median wall time of getClient, and of creating N clients one command per process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
broker=$(command -v mosquitto || echo /usr/sbin/mosquitto)
plugin=""
for f in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do [ -f "$f" ] && { plugin=$f; break; }; done
[ -x "$broker" ] && [ -n "$plugin" ] || { echo "mosquitto with the dynamic-security plugin is needed: apt-get install -y mosquitto" >&2; exit 1; }
work=$(mktemp -d)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mosquitto_ctrl dynsec init "$work/dynsec.json" admin adminpw >/dev/null
{ echo "listener $port 127.0.0.1"; echo "plugin $plugin"; echo "plugin_opt_config_file $work/dynsec.json"; [ "$(id -u)" = 0 ] && echo "user root"; } > "$work/m.conf"
"$broker" -c "$work/m.conf" >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
n=${CLIENTS:-200}
runs=${RUNS:-15}
ctrl=(mosquitto_ctrl -h 127.0.0.1 -p "$port" -u admin -P adminpw dynsec)
mq=("$MQCTL" -h 127.0.0.1 -p "$port" -u admin -P adminpw --quiet dynsec)
"${mq[@]}" createClient probe -p pw >/dev/null 2>&1 || { echo "could not create a client; broker log:" >&2; cat "$work/log" >&2; exit 1; }

g_ctrl=$(median_ms "$runs" "${ctrl[@]}" getClient probe)
g_mq=$(median_ms "$runs" "${mq[@]}" getClient probe)
echo "getClient (median of $runs)"
printf '  mosquitto_ctrl  %5d ms\n  mqctl           %5d ms  (%sx)\n' "$g_ctrl" "$g_mq" "$(ratio "$g_mq" "$g_ctrl")"

create() { local tool=$1 prefix=$2; shift 2; local s e; s=$(date +%s%N); for ((i = 0; i < n; i++)); do "$@" createClient "$prefix$i" -p pw >/dev/null 2>&1; done; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
c_ctrl=$(create ctrl c "${ctrl[@]}")
c_mq=$(create mqctl m "${mq[@]}")
echo "create $n clients, one process each"
printf '  mosquitto_ctrl  %6d ms  (%d ms per client)\n  mqctl           %6d ms  (%d ms per client, %sx)\n' "$c_ctrl" $((c_ctrl / n)) "$c_mq" $((c_mq / n)) "$(ratio "$c_mq" "$c_ctrl")"
