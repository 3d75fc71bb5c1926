#!/usr/bin/env bash
# The end-to-end suite once, beside two busy CPU loops (issue 7: "passes on a busy machine too").
# Prints pass/fail and the wall time; the loops' PIDs are recorded and only they are killed at exit.
# Run from the repository root: bash bench/e2e_busy.sh [extra pytest args]
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOOPS=()
stop_loops() {
  for pid in "${LOOPS[@]}"; do kill "$pid" 2>/dev/null; done
}
trap stop_loops EXIT INT TERM
for _ in 1 2; do
  "$PY" -c "while True: pass" &
  LOOPS+=("$!")
done
echo "busy loops: ${LOOPS[*]}"
start=$(date +%s)
"$PY" -m pytest -q tests/end_to_end "$@"
status=$?
end=$(date +%s)
echo "e2e beside two busy loops: $([ $status -eq 0 ] && echo PASSED || echo FAILED) (exit $status) in $((end - start)) s"
exit $status
