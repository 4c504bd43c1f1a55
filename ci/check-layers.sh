#!/usr/bin/env bash
# Fails when an include in src/ points up a layer or when includes form a
# cycle. The layers and what each may include are docs/architecture.md's
# diagram; CMake enforces the same rule (each folder's library sees only
# the headers of the folders below it), this says it in words.
#
#   ci/check-layers.sh          check src/ (exit 1 on a violation)
set -euo pipefail
cd "$(dirname "$0")/../src"

# folder -> the folders its files may include (besides its own).
declare -A allowed=(
  [base]=""
  [model]="base"
  [load]="model base"
  [expand]="model base"
  [validate]="model base"
  [plan]="model base"
  [check]="model base"
  [kernel]="plan model base"
  [kernel/linux]="kernel plan model base"
  [run]="kernel/linux kernel plan check model base"
  [report]="check model base"
  [suite]="run report kernel/linux kernel plan check model base"
  [cli]="suite report run kernel/linux kernel plan validate expand load check model base"
  [stun]="base"
  [punch]="stun base"
  [programs/net]="stun base"
  [programs/portmap]="programs/net stun base"
  [programs/peer]="programs/portmap programs/net punch stun base"
  [programs/rendezvous]="programs/net punch stun base"
  [programs/init]="base"
  [programs/tools]="programs/peer programs/portmap programs/net punch stun base"
)

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r file; do
  folder=$(dirname "$file")
  if [ -z "${allowed[$folder]+set}" ]; then
    echo "src/$file: folder '$folder' has no layer (add it to ci/check-layers.sh and docs/architecture.md)"
    bad=1
    continue
  fi
  while IFS= read -r included; do
    echo "$file $included" >>"$edges"
    target=$(dirname "$included")
    [ "$target" = "$folder" ] && continue
    case " ${allowed[$folder]} " in
      *" $target "*) ;;
      *)
        echo "src/$file: includes \"$included\": '$folder' may include only ${allowed[$folder]:-nothing} (docs/architecture.md)"
        bad=1
        ;;
    esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find . -name '*.h' -o -name '*.cc' | sed 's|^\./||' | sort)

# A cycle among files: tsort names it.
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
  sed 's/^/include cycle: /' "$edges.err"
  bad=1
fi
rm -f "$edges.err"
[ "$bad" -eq 0 ] && echo "layers: every include points down, no cycle"
exit "$bad"
