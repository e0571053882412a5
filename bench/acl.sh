#!/usr/bin/env bash
# Lints a generated 100,000-line ACL file and prints the time (target: under one second).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
lines=${LINES_TOTAL:-100000}
node -e "
const n = $lines; const out = ['# generated', 'topic read public/#'];
for (let i = 0; out.length < n; i++) {
  if (i % 50 === 0) out.push('user user' + i);
  else if (i % 7 === 0) out.push('topic deny site/' + i + '/secret');
  else if (i % 11 === 0) out.push('pattern readwrite clients/%c/' + i + '/#');
  else out.push('topic ' + ['read', 'write', 'readwrite'][i % 3] + ' site/' + (i % 500) + '/+/dev' + i);
}
require('fs').writeFileSync('$work/acl', out.join('\n') + '\n')"
ms=$(median_ms "${RUNS:-5}" "$MQCTL" acl lint "$work/acl")
node_ms=$(median_ms "${RUNS:-5}" node -e 0)
echo "acl lint, $(wc -l < "$work/acl") lines: ${ms} ms (median; node -e 0: ${node_ms} ms; target < 1000 ms)"
