#!/usr/bin/env bash
# The README's test command (and CI's, .ci/run): installs what the tests need, then runs them all.
#
#   1. System packages (Debian/Ubuntu): Python with torch, onnx, sentencepiece, numpy and pyflakes
#      (the smoke codec the tests run against is trained with them, the training pipeline is tested
#      end to end, the Python code is linted), OpenBLAS's OpenMP build (torch is ~25x slower on CPU
#      without it), tmux (the TUI end-to-end test) and neovim (the editor plugin's test). Only what is
#      missing is installed, with apt-get as root or through sudo; where that cannot be done, one line
#      per missing tool says what to install, and the script stops before the tests.
#   2. `npm ci`, only when node_modules is missing or differs from package-lock.json (.npmrc applies).
#   3. `npm test`: build, lint, every test. Arguments are passed to vitest (a file, -t NAME).
#
# For everyday work without the Python, tmux and neovim tests: `npm run test:js`.
# PYTHON=/path/to/python3 checks and uses another interpreter (the tests read it too).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "test.sh: $*"; }
# npm warns about .npmrc's onnxruntime-node-install on every call; errors still show.
export npm_config_loglevel=error

PY="${PYTHON:-/usr/bin/python3}"

# --- Node -------------------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "missing Node.js: install Node.js 20 or newer (with npm), then rerun"
  exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  say "Node.js $(node --version) is too old: install Node.js 20 or newer, then rerun"
  exit 1
fi

# --- System packages --------------------------------------------------------------------------------
# Each missing tool as "debian-package<TAB>what is missing".
missing_tools() {
  if [ -x "$PY" ]; then
    local module
    for module in $("$PY" - <<'EOF'
import importlib
for name in ("torch", "onnx", "sentencepiece", "numpy", "pyflakes"):
    try:
        importlib.import_module(name)
    except Exception:
        print(name)
EOF
    ); do
      printf 'python3-%s\t%s (Python module, for %s)\n' "$module" "$module" "$PY"
    done
  else
    printf 'python3\tpython3 (%s)\n' "$PY"
    local module
    for module in torch onnx sentencepiece numpy pyflakes; do
      printf 'python3-%s\t%s (Python module)\n' "$module" "$module"
    done
  fi
  if command -v dpkg-query >/dev/null &&
    [ "$(dpkg-query -W -f='${Status}' libopenblas0-openmp 2>/dev/null)" != "install ok installed" ]; then
    printf 'libopenblas0-openmp\tOpenBLAS built with OpenMP (torch is ~25x slower without it)\n'
  fi
  command -v tmux >/dev/null || printf 'tmux\ttmux (the TUI end-to-end test)\n'
  command -v nvim >/dev/null || printf 'neovim\tnvim (the editor plugin test)\n'
  return 0
}

report_missing() {
  local package what
  while IFS=$'\t' read -r package what; do
    say "missing $what: install $package"
  done <<<"$1"
}

missing="$(missing_tools)"
if [ -n "$missing" ]; then
  packages="$(cut -f1 <<<"$missing" | tr '\n' ' ')"
  sudo=()
  if ! command -v apt-get >/dev/null; then
    report_missing "$missing"
    say "no apt-get here (the names above are Debian/Ubuntu packages): install them with your package manager, or set PYTHON to a python3 that has the modules, then rerun"
    exit 1
  elif [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      report_missing "$missing"
      say "not root and no sudo: install the packages above as root, then rerun"
      exit 1
    fi
    sudo=(sudo)
  fi
  say "installing ${packages% }${sudo:+ (through sudo)}"
  log="$(mktemp)"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # package names are words
  if ! { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends $packages; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    report_missing "$missing"
    say "apt-get failed (output above): install the packages above, then rerun"
    exit 1
  fi
  rm -f "$log"
  missing="$(missing_tools)"
  if [ -n "$missing" ]; then
    report_missing "$missing"
    say "still missing after apt-get install"
    exit 1
  fi
fi

# --- Node packages ----------------------------------------------------------------------------------
if ! node scripts/node-modules-current.mjs; then
  say "node_modules missing or out of date with package-lock.json: npm ci"
  # npm ci empties node_modules; keep the trained smoke codec (node_modules/.cache) across it.
  cache="node_modules/.cache/lcm-smoke-codec"
  kept=""
  if [ -d "$cache" ]; then
    kept="$(mktemp -d)"
    mv "$cache" "$kept/"
  fi
  status=0
  npm ci --no-audit --no-fund || status=$?
  if [ -n "$kept" ]; then
    mkdir -p node_modules/.cache
    mv "$kept/lcm-smoke-codec" node_modules/.cache/
    rmdir "$kept"
  fi
  [ "$status" = 0 ] || exit "$status"
fi

# --- Tests ------------------------------------------------------------------------------------------
if [ "$#" -gt 0 ]; then
  exec npm test -- "$@"
fi
exec npm test
