#!/usr/bin/env bash
# Regenerates docs/tui-screens.md: runs the built `lcm tui` in detached tmux sessions, sends keys,
# and captures each main view with `tmux capture-pane -p` (plain text: colours and inverse video do
# not show; the "›" column marks the selected row, "▌" the lines of the selected concept's span).
#
#   npm run build && bash docs/tui-screens.sh
#
# Models: the bundled codec for the outline, source, picker and rendering views; for the summary, the
# smoke codec (made by the test setup) with the LCM parity fixture, the only LCM in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=docs/tui-screens.md
SOCK="lcm-screens-$$"
WORK=$(mktemp -d)
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; sleep 1; rm -rf "$WORK" 2>/dev/null || true' EXIT

SMOKE=$(ls -d node_modules/.cache/lcm-smoke-codec/*/ 2>/dev/null | while read -r d; do [ -f "$d/manifest.json" ] && echo "$d"; done | head -1)
[ -n "$SMOKE" ] || { echo "no smoke codec: run the tests once (npx vitest run test/tui-app.test.tsx)" >&2; exit 1; }
mkdir -p "$WORK/models" "$WORK/examples"
cp -r "$SMOKE" "$WORK/models/codec"
cp -r test/fixtures/lcm-parity "$WORK/models/lcm"
cp examples/problems-of-philosophy.md "$WORK/examples/"

start() { # name width height [env...]
  local name=$1 w=$2 h=$3; shift 3
  tmux -L "$SOCK" -f /dev/null new-session -d -s "$name" -x "$w" -y "$h" \
    "cd $WORK && env -u CI XDG_STATE_HOME=$WORK/state-$name XDG_CONFIG_HOME=$WORK/config XDG_CACHE_HOME=$WORK/cache $* node $ROOT/dist/src/cli.js tui examples/problems-of-philosophy.md; sleep 600"
}
keys() { local name=$1; shift; for k in "$@"; do tmux -L "$SOCK" send-keys -t "$name" "$k"; sleep 0.15; done; }
shot() { tmux -L "$SOCK" capture-pane -p -t "$1"; }
wait_for() { # name text [seconds]
  local name=$1 text=$2 limit=${3:-120} i=0
  until shot "$name" | grep -qF -- "$text"; do
    sleep 0.25; i=$((i + 1))
    if [ $((i / 4)) -ge "$limit" ]; then echo "timed out waiting for '$text' in $name" >&2; shot "$name" >&2; exit 1; fi
  done
}
block() { echo '```'; shot "$1" | sed -e 's/[[:space:]]*$//'; echo '```'; }

{
  echo "# lcm tui: the main views"
  echo
  echo "Captured with \`tmux capture-pane -p\` by \`docs/tui-screens.sh\` (regenerate with"
  echo "\`npm run build && bash docs/tui-screens.sh\`). Plain text: colours and inverse video are not shown;"
  echo "\`›\` marks the selected row, \`▌\` the lines of the source that the selected concept comes from."
  echo

  start main 100 30
  wait_for main "encoded 227/227"
  echo "## Outline and source pane (100x30, bundled codec)"
  echo
  echo "Opened with \`lcm tui examples/problems-of-philosophy.md\`; \`]\` \`]\` \`]\` jumps to Chapter I, \`j\` \`j\` \`j\` selects its"
  echo "third concept. Left: sections and concepts (\`▾\` open section, \`•\` concept, \`▤\` opaque block); right: the"
  echo "source around the concept, its span marked. Status line: tokens, concepts, the compression ratio,"
  echo "encoding state, models."
  echo
  keys main "]" "]" "]" j j j
  wait_for main "Source · c10"
  block main
  echo

  echo "## Editing: rewrite a concept (prompt band), then the outline with the rewrite"
  echo
  keys main e C-u
  tmux -L "$SOCK" send-keys -t main -l "We begin with what seems certain and find that it is not."
  wait_for main "find that it is not."
  block main
  echo
  keys main Enter
  wait_for main "rewrote c10"
  wait_for main "encoded 227/227"
  block main
  echo

  echo "## Output language picker (\`L\`, then typing filters)"
  echo
  keys main L
  wait_for main "Output language"
  block main
  echo
  keys main f r e n c h Enter
  wait_for main "output language: fra_Latn"

  echo "## Rendering concepts in another language (\`R\` on the Preface, output language French)"
  echo
  echo "The bundled codec decodes the Preface's concepts into French; no LCM involved. The bundled codec"
  echo "is small (46M parameters, 9 GPU-minutes of training), so the text is rough."
  echo
  keys main g "]" "]" R
  wait_for main "done: 5 concepts in fra_Latn" 240
  block main
  echo

  echo "## Help (\`?\`)"
  echo
  keys main "?"
  wait_for main "? or Esc closes"
  block main
  echo
  keys main Escape

  start gen 100 30 "LCM_MODELS=$WORK/models"
  wait_for gen "encoded 227/227"
  echo "## Summarize (\`s\`): the form, then the output pane"
  echo
  echo "With \`LCM_MODELS\` pointing at the smoke codec and the LCM parity fixture: a 64-d toy LCM trained for"
  echo "100 steps, the only LCM in the repository. It shows the flow (form, streaming, status), not a"
  echo "useful summary: its concepts decode to noise."
  echo
  keys gen s
  wait_for gen "Summarize"
  keys gen Down Right
  block gen
  echo
  keys gen Enter
  wait_for gen "done:" 240
  block gen
  echo

  start small 80 24
  wait_for small "encoded 227/227"
  echo "## 80x24"
  echo
  keys small "]" "]" l
  wait_for small "Source · c3"
  block small
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
