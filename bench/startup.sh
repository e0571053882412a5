#!/usr/bin/env bash
# Start-up of mqctl, side by side in one run, printing ratios (issue 13):
#   dynsec getClient / createClient / listClients    against mosquitto_ctrl on one private broker
#   --help, dynsec --help, acl lint, config lint      against `node -e 0`  (target <= 2x)
#   --version (<= 1.5x) and one passwd -b (<= 2x)     against `node -e 0`
#   the floors under the launcher: node without NODE_EXTRA_CA_CERTS, node from an empty snapshot
#   300 dynsec commands through one `mqctl shell`     against 300 processes and the broker's own cost
# hyperfine is used when installed (medians of its runs); otherwise a loop of RUNS with medians.
# The broker is started here on 127.0.0.1 and an ephemeral port, and killed by its PID at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
broker=$(command -v mosquitto || echo /usr/sbin/mosquitto)
plugin=""
for f in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do
  [ -f "$f" ] && { plugin=$f; break; }
done
[ -x "$broker" ] && [ -n "$plugin" ] || { echo "mosquitto with the dynamic-security plugin is needed" >&2; exit 1; }
[ -f "$here/../dist/main.js" ] || { echo "build first: npm run build" >&2; exit 1; }
runs=${RUNS:-20}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mosquitto_ctrl dynsec init "$work/dynsec.json" admin adminpw >/dev/null
{
  echo "listener $port 127.0.0.1"
  echo "plugin $plugin"
  echo "plugin_opt_config_file $work/dynsec.json"
  [ "$(id -u)" = 0 ] && echo "user root"
} >"$work/m.conf"
"$broker" -c "$work/m.conf" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

ctrl="mosquitto_ctrl -h 127.0.0.1 -p $port -u admin -P adminpw dynsec"
mq="$MQCTL -h 127.0.0.1 -p $port -u admin -P adminpw --quiet dynsec"
# node bin/run.js skips the launcher's shell line (NODE_EXTRA_CA_CERTS then loads at start-up).
mqbin="$MQCTL -h 127.0.0.1 -p $port -u admin -P adminpw --quiet dynsec"
$mq createClient probe -p pw >/dev/null 2>&1 || { echo "could not create a client; broker log:" >&2; cat "$work/log" >&2; exit 1; }
printf 'topic a/#\nuser bob\ntopic read b/+\n' >"$work/acl"
printf 'listener 1883\nallow_anonymous false\npassword_file %s/pw\n' "$work" >"$work/mosquitto.conf"
: >"$work/pw"

# median wall time (ms) of one command line (words split on blanks), with an optional prepare step.
measure() {
  local prepare=$1 cmd=$2
  if command -v hyperfine >/dev/null 2>&1; then
    local args=(-N --style none --warmup 2 --runs "$runs" -i --export-json "$work/h.json")
    [ -n "$prepare" ] && args+=(--prepare "$prepare")
    hyperfine "${args[@]}" "$cmd" >/dev/null 2>&1
    # wall median, then CPU (user + system, mean): CPU is what a loaded machine does not inflate.
    node -e 'const r=require(process.argv[1]).results[0]; console.log(Math.round(r.median*1000), Math.round((r.user+r.system)*1000))' "$work/h.json"
  else
    local times=() s e
    for ((i = 0; i < runs; i++)); do
      [ -n "$prepare" ] && bash -c "$prepare" >/dev/null 2>&1
      s=$(date +%s%N); $cmd >/dev/null 2>&1 || true; e=$(date +%s%N)
      times+=($(((e - s) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], 0}'
  fi
}

# row LABEL "WALL CPU" "WALL CPU" TARGET: wall medians and their ratio, then the CPU times.
row() {
  local a=($2) b=($3)
  printf '  %-34s %6d ms  %6d ms  %5sx  (target <= %s)   cpu %4d / %4d ms\n' "$1" "${a[0]}" "${b[0]}" \
    "$(ratio "${a[0]}" "${b[0]}")" "$4" "${a[1]}" "${b[1]}"
}

echo "mqctl start-up, median of $runs runs$(command -v hyperfine >/dev/null && echo ' (hyperfine)'); load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
awk -v n="$(nproc)" '$1 > n {print "  (the machine is busy: wall times include waiting for a CPU; the cpu columns do not)"}' /proc/loadavg
printf '  %-34s %9s  %9s  %6s\n' "command" "mqctl" "reference" "ratio"
echo "dynsec, against mosquitto_ctrl on the same broker"
row "getClient probe" "$(measure "" "$mq getClient probe")" "$(measure "" "$ctrl getClient probe")" 1.5
row "createClient (deleted before each)" \
  "$(measure "$ctrl deleteClient c1" "$mq createClient c1 -p pw")" \
  "$(measure "$ctrl deleteClient c1" "$ctrl createClient c1 -p pw")" 1.5
row "listClients" "$(measure "" "$mq listClients")" "$(measure "" "$ctrl listClients")" 1.5
row "  (node -e 0, for scale)" "$(measure "" "node -e 0")" "$(measure "" "$ctrl listClients")" -
# The floors under the launcher (bin/run.js): node with NODE_EXTRA_CA_CERTS unset, as the
# launcher starts it, and node from a V8 start-up snapshot that does nothing (not used: it starts
# slower than node's own snapshot, see docs/design-deviations.md).
echo 'require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {})' >"$work/nothing.js"
node --snapshot-blob "$work/nothing.blob" --build-snapshot "$work/nothing.js" >/dev/null 2>&1 || true
cat >"$work/bare" <<EOS
#!/bin/sh
exec env -u NODE_EXTRA_CA_CERTS "\$@"
EOS
chmod +x "$work/bare"
row "  (node -e 0, NODE_EXTRA_CA_CERTS unset)" "$(measure "" "$work/bare node -e 0")" "$(measure "" "$ctrl listClients")" -
if [ -f "$work/nothing.blob" ]; then
  row "  (node, empty start-up snapshot)" "$(measure "" "$work/bare node --snapshot-blob $work/nothing.blob x")" \
    "$(measure "" "$ctrl listClients")" -
fi
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  row "  (getClient, node bin/run.js)" "$(measure "" "node $mqbin getClient probe")" "$(measure "" "$ctrl getClient probe")" -
fi

node_ms=$(measure "" "node -e 0")
echo "against node -e 0 (${node_ms% *} ms)"
row "--help" "$(measure "" "$MQCTL --help")" "$node_ms" 2
row "dynsec --help" "$(measure "" "$MQCTL dynsec --help")" "$node_ms" 2
row "acl lint (3 lines)" "$(measure "" "$MQCTL acl lint $work/acl")" "$node_ms" 2
row "acl check (3 lines)" "$(measure "" "$MQCTL acl check $work/acl --user bob --topic b/x --access read")" "$node_ms" 2
row "config lint (3 lines)" "$(measure "" "$MQCTL config lint $work/mosquitto.conf")" "$node_ms" 2
row "--version" "$(measure "" "$MQCTL --version")" "$node_ms" 1.5
row "passwd -b (add one user)" "$(measure "" "$MQCTL passwd -b $work/pw alice secret")" "$node_ms" 2

# 300 commands: through one shell, against 300 processes, and against the broker's own cost: the
# same commands as one request (mosquitto_rr), and as 300 PUBLISHes on one connection (mosquitto_pub -l,
# replies counted by mosquitto_sub). The floors run first, on fresh names, so the shell meets the larger state.
n=${SHELL_COMMANDS:-300}
for ((i = 0; i < n / 2; i++)); do echo "createClient s$i -p pw"; echo "getClient s$i"; done >"$work/cmds"
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
floor_one="" floor_many=""
if command -v mosquitto_rr >/dev/null && command -v mosquitto_sub >/dev/null; then
  # shellcheck disable=SC2016
  pair='(p, i) => [{command: "createClient", username: p + i, password: "pw"}, {command: "getClient", username: p + i}]'
  node -e "const pair = $pair, c = [];
    for (let i = 0; i < +process.argv[1] / 2; i++) c.push(...pair('f', i));
    process.stdout.write(JSON.stringify({commands: c}))" "$n" >"$work/one.json"
  node -e "const pair = $pair;
    for (let i = 0; i < +process.argv[1] / 2; i++) for (const c of pair('g', i)) console.log(JSON.stringify({commands: [c]}))" \
    "$n" >"$work/many.jsonl"
  api='$CONTROL/dynamic-security/v1'
  bconn=(-h 127.0.0.1 -p "$port" -u admin -P adminpw)
  s=$(date +%s%N)
  # -m, not -f: 2.0.11's plugin answers "Payload not valid JSON" to mosquitto_rr -f here.
  mosquitto_rr "${bconn[@]}" -t "$api" -e "$api/response" -W 60 -m "$(cat "$work/one.json")" >"$work/one.out" 2>&1 &&
    floor_one=$(ms_since "$s")
  # A floor is only one if every command was answered without an error.
  grep -q '"error"' "$work/one.out" && floor_one=""
  mosquitto_sub "${bconn[@]}" -t "$api/response" -C "$n" -W 60 >"$work/many.out" 2>&1 &
  sub=$!
  sleep 0.3
  s=$(date +%s%N)
  mosquitto_pub "${bconn[@]}" -t "$api" -q 1 -l <"$work/many.jsonl" && wait "$sub" && floor_many=$(ms_since "$s")
  { [ "$(grep -c '"command"' "$work/many.out")" = "$n" ] && ! grep -q '"error"' "$work/many.out"; } || floor_many=""
fi
if $mq --help >/dev/null 2>&1 && "$MQCTL" shell --help >/dev/null 2>&1; then
  s=$(date +%s%N)
  "$MQCTL" shell -h 127.0.0.1 -p "$port" -u admin -P adminpw --quiet <"$work/cmds" >/dev/null 2>&1 || true
  one=$(ms_since "$s")
  s=$(date +%s%N)
  "$MQCTL" shell -h 127.0.0.1 -p "$port" -u admin -P adminpw --quiet </dev/null >/dev/null 2>&1 || true
  empty=$(ms_since "$s")
  sed -i 's/ s\([0-9]\)/ p\1/' "$work/cmds"
  s=$(date +%s%N)
  while read -r line; do
    # shellcheck disable=SC2086
    $mq $line >/dev/null 2>&1 || true
  done <"$work/cmds"
  many=$(ms_since "$s")
  echo "$n dynsec commands"
  printf '  %-34s %6d ms  %6d ms  %5sx  (one shell / %d processes)\n' "mqctl shell (one connection)" "$one" "$many" \
    "$(ratio "$one" "$many")" "$n"
  if [ -n "$floor_one" ] && [ -n "$floor_many" ]; then
    printf '  %-34s %6d ms  %6d ms  %5sx  (the shell / one request of %d commands)\n' "  against the broker's own cost" \
      "$one" "$floor_one" "$(ratio "$one" "$floor_one")" "$n"
    printf '  %-34s %6d ms  %6d ms  %5sx  (the shell / %d PUBLISHes, mosquitto_pub -l)\n' "" "$one" "$floor_many" \
      "$(ratio "$one" "$floor_many")" "$n"
    printf '  %-34s %6d ms  %6d ms  %5sx  (the shell less its start-up, %d ms / one request)\n' "" \
      "$((one - empty))" "$floor_one" "$(ratio "$((one - empty))" "$floor_one")" "$empty"
  fi
fi
