#!/usr/bin/env bash
# Stop the wineserver (and Wine's helper processes) of the mproc Wine prefix
# started by scripts/windows/wine-run.sh.  Errors are ignored.
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
export WINEPREFIX=${WINEPREFIX:-$repo_root/.deps/wineprefix}

[[ -d $WINEPREFIX ]] || exit 0
if command -v wineserver >/dev/null 2>&1; then
    wineserver=$(command -v wineserver)
else
    wineserver=/usr/lib/wine/wineserver
fi
"$wineserver" -k </dev/null >/dev/null 2>&1 || true
# -k only signals: wait (bounded) for the server to be gone, so the prefix is
# quiescent (registry saved) when we return.
timeout 10 "$wineserver" -w </dev/null >/dev/null 2>&1 || true
exit 0
