#!/usr/bin/env bash
# Run a Windows executable headless under Wine (CMAKE_CROSSCOMPILING_EMULATOR of
# cmake/toolchains/mingw-w64-x86_64.cmake, so plain `ctest` runs .exe tests).
#
#   wine-run.sh prog.exe [args...]   exit status = prog.exe's exit code;
#                                    '\r' stripped from its stdout and stderr
#   wine-run.sh --init               only create/start the prefix
#
# Env: WINEPREFIX (default <repo>/.deps/wineprefix),
#      MPROC_WINEDEBUG (default -all; e.g. err+all to debug Wine itself),
#      MPROC_WINESERVER_PERSIST (default: forever; N = server exits N s after the
#      last program ends).  Stop the server with scripts/windows/wine-stop.sh.
#
# The prefix is made once (wineboot -i, plus the registry BootId value that
# Boost.Interprocess needs), under a flock so concurrent `ctest -jN` runs do
# not race.  A persistent wineserver and Wine's helper processes (services.exe,
# winedevice.exe, explorer.exe...) are started with stdio on /dev/null before
# the program runs: otherwise they inherit the program's stdout pipe and
# every piped run (ctest, | tee) waits ~3 s for them to exit.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)

export WINEPREFIX=${WINEPREFIX:-$repo_root/.deps/wineprefix}
export WINEARCH=win64
export WINEDEBUG=${MPROC_WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY

# Debian 12 ships no /usr/bin/wine64: /usr/bin/wine is a script that picks
# /usr/lib/wine/wine (32-bit, absent without i386 multiarch) or wine64.
if command -v wine64 >/dev/null 2>&1; then
    wine=$(command -v wine64)
elif [[ -x /usr/lib/wine/wine64 ]]; then
    wine=/usr/lib/wine/wine64
    export WINELOADER=$wine
else
    wine=$(command -v wine) || { echo "wine-run.sh: wine not installed" >&2; exit 127; }
fi
if command -v wineserver >/dev/null 2>&1; then
    wineserver=$(command -v wineserver)
else
    wineserver=/usr/lib/wine/wineserver
fi

persist=-p${MPROC_WINESERVER_PERSIST:-}
marker=$WINEPREFIX/.mproc-prefix-ready
boot_key='HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management\PrefetchParameters'

# All helpers run detached from our stdio and without the lock fd (9).
quiet() { "$@" </dev/null >/dev/null 2>&1 9>&-; }

prepare() {
    mkdir -p "$WINEPREFIX"   # wineserver refuses to start without the directory
    local rc=0
    quiet "$wineserver" "$persist" || rc=$?   # 0: started, 2: already running
    if [[ $rc -ne 0 && $rc -ne 2 ]]; then
        echo "wine-run.sh: wineserver $persist failed (rc $rc)" >&2
        return 1
    fi
    if [[ ! -f $marker ]]; then
        quiet "$wine" wineboot -i || { echo "wine-run.sh: wineboot -i failed" >&2; return 1; }
        quiet "$wine" reg add "$boot_key" /v BootId /t REG_DWORD /d 1 /f \
            || { echo "wine-run.sh: reg add BootId failed" >&2; return 1; }
        touch "$marker"
    elif [[ $rc -eq 0 ]]; then
        # Fresh server on an existing prefix: start the helper processes now,
        # detached, instead of inside the program's run.
        quiet "$wine" wineboot
    fi
}

mkdir -p "$(dirname "$WINEPREFIX")"
exec 9>"$WINEPREFIX.lock"
flock 9
prepare || exit 125
exec 9>&-

[[ ${1-} == --init ]] && exit 0
if [[ $# -eq 0 ]]; then
    echo "usage: wine-run.sh prog.exe [args...] | --init" >&2
    exit 2
fi

# stderr is passed on line by line (a killed run keeps its last words: the tests' watchdog and
# trace write there); stdout in blocks, so that lines a child logs on stderr do not land in the
# middle of what the examples' tests match on stdout.
"$wine" "$@" </dev/null 2> >(stdbuf -oL tr -d '\r' >&2) | tr -d '\r'
rc=${PIPESTATUS[0]}
exit "$rc"
