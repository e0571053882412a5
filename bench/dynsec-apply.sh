#!/usr/bin/env bash
# mqctl dynsec apply, side by side in one run on private brokers, printing ratios:
#   1. N new clients with role memberships applied to an empty broker, against the broker's own
#      floor (the same commands as ONE raw request through mosquitto_rr) and against a loop of
#      mosquitto_ctrl processes (100 clients timed, scaled to N);
#   2. a second, unchanged apply against one getClient;
#   3. -f apply of N clients with passwords to a file, against node's bare start;
#   4. M more clients on a broker that already holds N: online, and the -f path (stop, apply, start).
# N=${CLIENTS:-1000}, M=${MORE:-2000}. Needs mosquitto with the dynamic-security plugin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
broker=$(command -v mosquitto || echo /usr/sbin/mosquitto)
plugin=""
for f in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do [ -f "$f" ] && { plugin=$f; break; }; done
[ -x "$broker" ] && [ -n "$plugin" ] || { echo "mosquitto with the dynamic-security plugin is needed" >&2; exit 1; }
n=${CLIENTS:-1000}
more=${MORE:-2000}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

# start NAME: a broker on a free port with a fresh `dynsec init` file; sets port_NAME.
start() {
  local name=$1 port
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  [ -f "$work/$name.json" ] || mosquitto_ctrl dynsec init "$work/$name.json" admin adminpw >/dev/null
  { echo "listener $port 127.0.0.1"; echo "plugin $plugin"; echo "plugin_opt_config_file $work/$name.json"; [ "$(id -u)" = 0 ] && echo "user root"; } > "$work/$name.conf"
  "$broker" -c "$work/$name.conf" >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
  eval "port_$name=$port"
  for _ in $(seq 50); do node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && return; sleep 0.1; done
  echo "broker $name did not start" >&2; cat "$work/$name.log" >&2; exit 1
}

# The policy and the same commands as one raw request; the admin as `dynsec init` writes it, so
# the policy keeps it and the lock-out guard is satisfied.
mosquitto_ctrl dynsec init "$work/seed.json" admin adminpw >/dev/null
MORE=$more node - "$n" "$work" <<'EOF'
const [n, dir] = [Number(process.argv[2]), process.argv[3]]
const fs = require('fs')
const init = JSON.parse(fs.readFileSync(`${dir}/seed.json`, 'utf8'))
const adminRole = {rolename: 'admin', acls: init.roles[0].acls.map((a) => ({acltype: a.acltype, topic: a.topic, allow: a.allow}))}
const admin = {username: 'admin', textname: 'Dynsec admin user', roles: [{rolename: 'admin'}]}
const roles = Array.from({length: 10}, (_, i) => ({
  rolename: `r${i}`,
  acls: [{acltype: 'publishClientSend', topic: `dev/${i}/#`, allow: true, priority: 0}],
}))
const clients = Array.from({length: n}, (_, i) => ({
  username: `dev${String(i).padStart(5, '0')}`,
  roles: [{rolename: `r${i % 10}`, priority: i % 3}],
}))
const policy = {version: 1, defaultACLAccess: init.defaultACLAccess, roles: [adminRole, ...roles], clients: [admin, ...clients]}
fs.writeFileSync(`${dir}/policy.json`, JSON.stringify(policy))
fs.writeFileSync(`${dir}/passwords`, clients.map((c) => `${c.username}:pw-${c.username}`).join('\n') + '\n', {mode: 0o600})
const commands = [
  ...roles.map((r) => ({command: 'createRole', rolename: r.rolename, acls: r.acls})),
  ...clients.map((c) => ({command: 'createClient', username: c.username, roles: c.roles, groups: []})),
]
fs.writeFileSync(`${dir}/raw.json`, JSON.stringify({commands}))
const extra = Array.from({length: Number(process.env.MORE)}, (_, i) => ({
  username: `new${String(i).padStart(5, '0')}`,
  roles: [{rolename: `r${i % 10}`}],
}))
fs.writeFileSync(`${dir}/policy-more.json`, JSON.stringify({...policy, clients: [...policy.clients, ...extra]}))
EOF

start floor
start apply
start ctrl
conn() { echo -h 127.0.0.1 -p "$1" -u admin -P adminpw; }
mq() { local port=$1; shift; "$MQCTL" $(conn "$port") --quiet dynsec "$@"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# 1. The broker's floor: one raw request with every command, one reply.
s=$(now)
# (-m, not -f: 2.0.11's plugin answers a -f payload with "Payload not valid JSON".)
mosquitto_rr $(conn "$port_floor") -t '$CONTROL/dynamic-security/v1' -e '$CONTROL/dynamic-security/v1/response' -m "$(cat "$work/raw.json")" -W 120 >"$work/floor.out"
e=$(now)
t_floor=$(ms "$s" "$e")
grep -q '"error"' "$work/floor.out" && { echo "the raw request was refused:" >&2; head -c 300 "$work/floor.out" >&2; exit 1; }

s=$(now)
mq "$port_apply" apply "$work/policy.json" >"$work/apply.out"
e=$(now)
t_apply=$(ms "$s" "$e")

k=100
s=$(now)
for ((i = 0; i < k; i++)); do
  u=$(printf 'dev%05d' "$i")
  mosquitto_ctrl $(conn "$port_ctrl") dynsec createClient "$u" -p "pw-$u" >/dev/null 2>&1
  mosquitto_ctrl $(conn "$port_ctrl") dynsec addClientRole "$u" "r$((i % 10))" "$((i % 3))" >/dev/null 2>&1
done
e=$(now)
t_ctrl=$(( $(ms "$s" "$e") * n / k ))

echo "load average at the start: $load0 (2.0 broker: its whole file is rewritten after every command)"
echo "apply $n new clients with role memberships to an empty broker"
printf '  broker floor (one raw request, mosquitto_rr)  %7d ms\n' "$t_floor"
printf '  mqctl dynsec apply                            %7d ms  (%sx the floor; target <= 1.25)\n' "$t_apply" "$(ratio "$t_apply" "$t_floor")"
printf '  mosquitto_ctrl loop (%d timed, scaled)       %7d ms  (mqctl %sx faster; target >= 30)\n' "$k" "$t_ctrl" "$(ratio "$t_ctrl" "$t_apply")"
printf '  the floor itself against the loop                       (%sx faster: the best any client can reach)\n' "$(ratio "$t_ctrl" "$t_floor")"

# 2. Unchanged second apply against one getClient.
runs=${RUNS:-7}
t_again=$(median_ms "$runs" mq "$port_apply" apply "$work/policy.json")
t_get=$(median_ms "$runs" mq "$port_apply" getClient dev00001)
t_get_ctrl=$(median_ms "$runs" mosquitto_ctrl $(conn "$port_apply") dynsec getClient dev00001)
echo "second, unchanged apply (median of $runs)"
printf '  mqctl dynsec getClient                        %7d ms  (mosquitto_ctrl getClient %d ms)\n' "$t_get" "$t_get_ctrl"
printf '  mqctl dynsec apply (nothing to send)          %7d ms  (%sx one getClient; target <= 3)\n' "$t_again" "$(ratio "$t_again" "$t_get")"
# plan and export of the same state, and the apply through oclif loaded from dist/ (MQCTL_FAST=0),
# which is what the policy fast path (dist/bundle/policy.cjs, no oclif) saves.
t_plan=$(median_ms "$runs" mq "$port_apply" plan "$work/policy.json")
t_export=$(median_ms "$runs" mq "$port_apply" export)
t_again_dist=$(median_ms "$runs" env MQCTL_FAST=0 "$MQCTL" $(conn "$port_apply") --quiet dynsec apply "$work/policy.json")
printf '  mqctl dynsec plan (no changes)                %7d ms  (%sx one getClient)\n' "$t_plan" "$(ratio "$t_plan" "$t_get")"
printf '  mqctl dynsec export                           %7d ms  (%sx one getClient)\n' "$t_export" "$(ratio "$t_export" "$t_get")"
printf '  the same apply, oclif from dist/ (MQCTL_FAST=0) %5d ms  (the fast path is %sx faster)\n' "$t_again_dist" "$(ratio "$t_again_dist" "$t_again")"

# 3. -f apply with passwords against node's start.
mosquitto_ctrl dynsec init "$work/offline.json" admin adminpw >/dev/null
t_node=$(median_ms "$runs" node -e '')
t_version=$(median_ms "$runs" "$MQCTL" --version)
s=$(now)
"$MQCTL" -f "$work/offline.json" dynsec apply "$work/policy.json" --passwords "$work/passwords" >/dev/null 2>&1
e=$(now)
t_file=$(ms "$s" "$e")
echo "-f apply of $n clients with passwords (2.0 layout: PBKDF2, 101 iterations each)"
printf '  node -e "" / mqctl --version                  %4d / %d ms\n' "$t_node" "$t_version"
printf '  mqctl -f FILE dynsec apply                    %7d ms  (%d ms over mqctl --version; target < 500)\n' "$t_file" $((t_file - t_version))

# 4. $more more clients on a broker that holds $n: online (2.0 saves its whole file after each
#    command) against stop, -f apply, start.
s=$(now)
mq "$port_apply" apply "$work/policy-more.json" --timeout 120 >/dev/null
e=$(now)
t_online=$(ms "$s" "$e")
s=$(now)
kill "$pid_floor"; while kill -0 "$pid_floor" 2>/dev/null; do sleep 0.02; done
"$MQCTL" -f "$work/floor.json" dynsec apply "$work/policy-more.json" >/dev/null 2>&1
start floor
e=$(now)
t_offline=$(ms "$s" "$e")
echo "$more more clients on a broker holding $n"
printf '  online apply                                  %7d ms\n' "$t_online"
printf '  stop broker, -f apply, start broker           %7d ms  (online is %sx)\n' "$t_offline" "$(ratio "$t_online" "$t_offline")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
