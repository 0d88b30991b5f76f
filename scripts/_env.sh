# Sourced by scripts/run and scripts/test: find uv and Python 3.13, then sync the locked environment.
# Everything it installs stays inside the checkout (var/ is git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p var
export UV_PYTHON_DOWNLOADS=never

find_python() {
  # A Python 3.13 interpreter: $UV_PYTHON if set, pyenv's 3.13.x, or one on PATH.
  if [ -n "${UV_PYTHON:-}" ]; then echo "$UV_PYTHON"; return; fi
  local root candidate
  if command -v pyenv >/dev/null 2>&1; then
    root="$(pyenv root)"
    for candidate in $(ls -d "$root"/versions/3.13* 2>/dev/null | sort -rV); do
      if [ -x "$candidate/bin/python" ]; then echo "$candidate/bin/python"; return; fi
    done
  fi
  for candidate in python3.13 /usr/bin/python3.13 /usr/local/bin/python3.13; do
    if PYENV_VERSION=3.13 "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then
      command -v "$candidate"; return
    fi
  done
  echo "scripts: Python 3.13 not found (install it, or set UV_PYTHON=/path/to/python3.13)" >&2
  return 1
}

find_uv() {
  # uv itself: the one on PATH if it works, else a private copy in var/tools.
  if uv --version >/dev/null 2>&1; then command -v uv; return; fi
  if [ ! -x var/tools/bin/uv ]; then
    echo "scripts: installing uv into var/tools" >&2
    "$UV_PYTHON" -m venv var/tools >&2
    var/tools/bin/pip install --quiet uv >&2
  fi
  echo "$ROOT/var/tools/bin/uv"
}

UV_PYTHON="$(find_python)"
export UV_PYTHON
UV="$(find_uv)"
"$UV" sync --frozen --quiet
export PATH="$ROOT/.venv/bin:$PATH"
