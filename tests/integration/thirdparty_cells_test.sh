#!/usr/bin/env bash
# Two matrix cells of a third-party recipe, run at once (-j 2), never touch
# each other's files: coturn's two cells each write turnserver's pid file
# at its default path (/var/run/turnserver.pid), each into its own node's
# /run, and none reaches the machine's; nebula's four cells each make their
# own CA and certificates in their own run folder, and every path their
# configs name lies in that folder. Then the coturn cells once more on a
# public-looking internet.
. "$(dirname "$0")/lib.sh"
require_root
command -v turnserver >/dev/null || skip "coturn is not installed (ci/install-deps.sh --test-tools)"
command -v nebula >/dev/null || skip "nebula is not installed (ci/install-deps.sh --test-tools)"
save_host
machine_run_before=$(ls -A /run)

run_recipe() {  # FILE CELLS: runs it with -j 2, keeps the logs, lists the cell folders
  "$TESTBED" run -j 2 --keep-logs --logs "$WORK/logs" "$TOPOLOGIES/thirdparty/$1.yaml" >"$WORK/$1.out" 2>&1 || { cat "$WORK/$1.out"; fail "$1 failed"; }
  mapfile -t dirs < <(sed -n 's/^  logs: //p' "$WORK/$1.out")
  [ "${#dirs[@]}" -eq "$2" ] || fail "$1: expected $2 run folders, got ${#dirs[@]}"
  [ "$(printf '%s\n' "${dirs[@]}" | sort -u | wc -l)" -eq "$2" ] || fail "$1: cells shared a folder"
}

# Both turnservers ran at the same time, and both made the same pid file.
run_recipe coturn 2
for d in "${dirs[@]}"; do
  grep -q 'pid file created: /var/run/turnserver.pid' "$d/turn.stdout" \
    || fail "$d: turnserver did not make its pid file at the default path"
done
# At the same time: each cell's config was written before the other's server
# logged its last line.
started() { date -r "$1/run/turnserver.conf" +%s%N; }
ended() { date -r "$1/turn.stdout" +%s%N; }
[ "$(started "${dirs[0]}")" -lt "$(ended "${dirs[1]}")" ] && [ "$(started "${dirs[1]}")" -lt "$(ended "${dirs[0]}")" ] \
  || fail "the two coturn cells did not run at the same time"
[ "$(ls -A /run)" = "$machine_run_before" ] || fail "a program wrote to the machine's /run"
[ ! -e /var/run/turnserver.pid ] || fail "turnserver's pid file reached the machine"

# Each nebula cell has its own CA, and its configs name only its own folder.
run_recipe nebula 4
for d in "${dirs[@]}"; do
  for conf in lighthouse alice bob; do
    grep -o '/[^ ,}]*' "$d/run/$conf.yml" | while read -r path; do
      case "$path" in "$d/run/"*) ;; *) fail "$d/run/$conf.yml names $path outside its run folder" ;; esac
    done
  done
  sha256sum "$d/run/ca.crt" | cut -d' ' -f1
done >"$WORK/cas"
[ "$(sort -u "$WORK/cas" | wc -l)" -eq 4 ] || fail "nebula cells shared a CA: $(cat "$WORK/cas")"

# An ordinary global unicast range serves as the internet as well
# (docs/topology.md, for programs that refuse documentation ranges), and
# still reaches nothing outside the run: coturn's recipe on 20.0.113.0/24.
sed 's/203\.0\.113\./20.0.113./g' "$TOPOLOGIES/thirdparty/coturn.yaml" >"$WORK/coturn-public.yaml"
grep -q '20\.0\.113\.0/24' "$WORK/coturn-public.yaml" || fail "the address change did not apply"
"$TESTBED" run -j 2 "$WORK/coturn-public.yaml" >"$WORK/public.out" 2>&1 \
  || { cat "$WORK/public.out"; fail "coturn on 20.0.113.0/24 failed"; }
assert_host_unchanged
echo PASS
