# Shared helpers for the scripts in this folder (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT" || exit 1

find_python() {
  # Python 3.13 on PATH, else pyenv's 3.13.x.
  local candidate
  for candidate in python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local version
    version="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.|$)' | sort -V | tail -n 1)"
    if [ -n "$version" ]; then
      echo "$(pyenv root)/versions/$version/bin/python3.13"
      return 0
    fi
  fi
  for candidate in "$HOME"/.pyenv/versions/3.13*/bin/python3.13; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
