#!/usr/bin/env bash
# A bad file gets an error naming file:line:column, exit 2, and changes
# nothing: not even the good file listed before it runs.
. "$(dirname "$0")/lib.sh"
require_root
cat >"$WORK/bad.yaml" <<'YAML'
networks:
  internet: 203.0.113.0/24
hosts:
  a: { internet: 203.0.114.1 }
YAML
save_host
set +e
"$TESTBED" run "$TOPOLOGIES/quickstart.yaml" "$WORK/bad.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 2 ] || fail "expected exit 2, got $rc"
grep -q "bad.yaml:4:18: error: host 'a': address 203.0.114.1 is outside network 'internet'" "$WORK/out" \
  || fail "the error does not name file:line:column"
grep -q "^RUN" "$WORK/out" && fail "a scenario ran although a file was bad"

# Files that once asked for gigabytes (fuzz/corpus/loader/): what a matrix
# makes of a file is bounded before any cell exists, and `link` steps cost
# one topology at a time. Each is answered at once, in well under 200 MB.
corpus="$(dirname "$0")/../../fuzz/corpus/loader"
for f in template-bomb cells-times-steps link-steps; do
  set +e
  /usr/bin/time -f '%M %e' -o "$WORK/cost" "$TESTBED" validate "$corpus/$f.yaml" >"$WORK/out" 2>&1
  rc=$?
  set -e
  read -r kb seconds < <(tail -n 1 "$WORK/cost")
  echo "$f: exit $rc, $kb KB, $seconds s"
  [ "$kb" -lt 200000 ] || fail "$f: validate took $kb KB"
  case $f in
    template-bomb)
      [ "$rc" -eq 2 ] || fail "$f: exit $rc, expected 2"
      grep -q "template-bomb.yaml:7:5: error: start p: with every \${name} filled in, a scenario's text could reach" "$WORK/out" ||
        fail "$f: the error does not name the line that crosses the bound: $(cat "$WORK/out")" ;;
    cells-times-steps)
      [ "$rc" -eq 2 ] || fail "$f: exit $rc, expected 2"
      grep -q "cells-times-steps.yaml:4:3: error: matrix: 1024 scenarios of 2000 steps" "$WORK/out" ||
        fail "$f: the error does not name the matrix: $(cat "$WORK/out")" ;;
    link-steps)
      # A correct file: what each of its 3,000 steps needs of the kernel is named.
      [ "$rc" -ne 2 ] || fail "$f: a correct file was called bad: $(cat "$WORK/out")" ;;
  esac
done
assert_host_unchanged
echo "PASS"
