# Shared by the bench scripts: median wall time of a command over N runs, in milliseconds.
# Usage: median_ms N command args...   (runs in the current directory, output discarded)
median_ms() {
  local n=$1; shift
  local times=()
  for ((i = 0; i < n; i++)); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

MQCTL="${MQCTL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bin/run.js}"
