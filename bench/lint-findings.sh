#!/usr/bin/env bash
# config lint and acl lint of files with a huge number of findings (issue 13): wall time and peak
# memory (GNU time's maximum resident set size) of a generated config of FINDINGS unknown options
# and a generated ACL file of FINDINGS invalid lines, in text and in --json. Both lints list at most
# 1000 findings per rule id, so time and memory follow the file's size, not its findings' output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
n=${FINDINGS:-300000}
node -e "
const n = +process.argv[1], fs = require('fs');
fs.writeFileSync('$work/big.conf', Array.from({length: n}, (_, i) => 'bogus_option_' + (i % 7) + ' value' + i).join('\n') + '\n');
fs.writeFileSync('$work/big.acl', Array.from({length: n}, (_, i) => (i % 2 ? 'topic read a/#/b' : 'topics read x') + i).join('\n') + '\n');
" "$n"
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "GNU time (/usr/bin/time) is needed for peak memory" >&2; exit 1; }
echo "lint of $n findings; load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
for run in "config lint $work/big.conf --no-file-checks" "config lint $work/big.conf --no-file-checks --json" \
  "acl lint $work/big.acl" "acl lint $work/big.acl --json"; do
  # shellcheck disable=SC2086
  "$gnu_time" -f '%e %M' -o "$work/t" "$MQCTL" $run >"$work/out" 2>/dev/null || true
  read -r secs kb < <(tail -n 1 "$work/t")
  printf '  %-44s %6.2f s  %5d MB peak  %7d bytes of output\n' "$(echo "$run" | sed "s#$work/##")" \
    "$secs" "$((kb / 1024))" "$(wc -c <"$work/out")"
done
