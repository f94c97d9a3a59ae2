#!/usr/bin/env bash
# Prepare the Windows cross-build (mingw-w64 + Wine) on Debian 12, as root.
# Idempotent: every step checks first and is skipped when already done.
#
#   scripts/windows/setup-mingw-deps.sh
#
# Produces (under <repo>/.deps, git-ignored):
#   .deps/src/libuv1-<ver>/                 libuv source (apt-get source libuv1)
#   .deps/build/libuv-mingw/                its mingw build tree
#   .deps/mingw/libuv/include/{uv.h,uv/}    static libuv for mingw
#   .deps/mingw/libuv/lib/{libuv_a.a,libuv.a}
#   .deps/mingw/include/{boost,spdlog,fmt,cereal,catch2} -> /usr/include/...
#   .deps/mingw/lib/cmake/Catch2/*.cmake -> /usr/lib/cmake/Catch2/ (find_package(Catch2))
#   .deps/wineprefix/                       Wine prefix (made by wine-run.sh --init)
#   /usr/bin/x86_64-w64-mingw32-ld.lld -> ld.lld  (LLD for the cross linker, see below)
# Env: MPROC_SKIP_WINEPREFIX=1 skips the Wine prefix step;
#      MPROC_JOBS (default 2) build parallelism.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
cd "$repo_root"

jobs=${MPROC_JOBS:-2}
deps=$repo_root/.deps
toolchain=$repo_root/cmake/toolchains/mingw-w64-x86_64.cmake
export DEBIAN_FRONTEND=noninteractive

now() { date +%s.%N; }
t_total=$(now)
t_step=
step_begin() { t_step=$(now); printf '==> %s\n' "$*"; }
step_end() { awk -v a="$t_step" -v b="$(now)" -v m="$1" 'BEGIN{printf "    %s (%.1f s)\n", m, b-a}'; }

if [[ $(id -u) -ne 0 ]]; then
    echo "setup-mingw-deps.sh: must run as root (apt-get)" >&2
    exit 1
fi

# ---------------------------------------------------------------- packages
step_begin "packages"
pkgs=(g++-mingw-w64-x86-64-posix wine64 wine
      libboost1.74-dev libspdlog-dev libfmt-dev libcereal-dev catch2
      cmake make dpkg-dev lld)
missing=()
for p in "${pkgs[@]}"; do
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) != "install ok installed" ]]; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "    installing: ${missing[*]}"
    # Lists never fetched (fresh image)? Update once.
    policy=$(apt-cache policy g++-mingw-w64-x86-64-posix 2>/dev/null || true)
    if [[ $policy != *"Candidate: "[0-9]* ]]; then
        apt-get update -qq
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    step_end "installed ${#missing[@]} package(s)"
else
    step_end "all present"
fi

# ---------------------------------------------------------------- lld
# gcc's -fuse-ld=lld runs "<its default linker>.lld"; Debian's mingw gcc has
# /usr/bin/x86_64-w64-mingw32-ld as default linker, so LLD must be reachable under that name.
# The toolchain file links with LLD when this exists (GNU ld is ~100x slower here).
step_begin "LLD as the mingw linker"
lld_name=/usr/bin/x86_64-w64-mingw32-ld.lld
if [[ -e $lld_name ]]; then
    step_end "present"
else
    ln -s "$(command -v ld.lld)" "$lld_name"
    step_end "linked $lld_name"
fi

# ---------------------------------------------------------------- deb-src
step_begin "deb-src entry"
src_list=/etc/apt/sources.list.d/debian-src.sources
have_src() { local out; out=$(apt-cache showsrc libuv1 2>/dev/null || true); [[ $out == *"Package: libuv1"* ]]; }
if have_src; then
    step_end "source index present"
else
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources \
       && ! grep -qs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list; then
        if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
            sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src_list"
        elif grep -qsE '^deb [^#]*debian' /etc/apt/sources.list; then
            src_list=/etc/apt/sources.list.d/debian-src.list
            sed -nE 's/^deb( .*debian.*)/deb-src\1/p' /etc/apt/sources.list >"$src_list"
        else
            echo "setup-mingw-deps.sh: no Debian sources entry to derive deb-src from" >&2
            exit 1
        fi
        echo "    wrote $src_list"
    fi
    apt-get update -qq
    step_end "apt-get update done"
fi

# ---------------------------------------------------------------- libuv source
step_begin "libuv source"
mkdir -p "$deps/src"
uv_src=$(find "$deps/src" -maxdepth 1 -type d -name 'libuv1-*' | sort | tail -n1)
if [[ -n $uv_src && -f $uv_src/CMakeLists.txt ]]; then
    step_end "present: ${uv_src#"$repo_root"/}"
else
    (cd "$deps/src" && apt-get source -qq libuv1 >/dev/null 2>&1) || (cd "$deps/src" && apt-get source libuv1)
    uv_src=$(find "$deps/src" -maxdepth 1 -type d -name 'libuv1-*' | sort | tail -n1)
    [[ -n $uv_src && -f $uv_src/CMakeLists.txt ]] || { echo "libuv source not found after apt-get source" >&2; exit 1; }
    step_end "fetched: ${uv_src#"$repo_root"/}"
fi

# ---------------------------------------------------------------- libuv build
step_begin "libuv (mingw, static uv_a)"
uv_prefix=$deps/mingw/libuv
uv_build=$deps/build/libuv-mingw
stamp_want="$(basename "$uv_src") $(sha1sum "$toolchain" | cut -c1-12)"
if [[ -f $uv_prefix/.stamp && $(cat "$uv_prefix/.stamp") == "$stamp_want" \
      && -f $uv_prefix/include/uv.h && -f $uv_prefix/lib/libuv.a ]]; then
    step_end "up to date"
else
    gen=()
    command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
    rm -rf "$uv_build"; mkdir -p "$deps/build"
    cmake -S "$uv_src" -B "$uv_build" "${gen[@]}" \
        -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
        -DCMAKE_BUILD_TYPE=Release \
        -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF -DBUILD_TESTING=OFF \
        >"$deps/build/libuv-configure.log" 2>&1 \
        || { cat "$deps/build/libuv-configure.log" >&2; exit 1; }
    cmake --build "$uv_build" --target uv_a -j"$jobs" >"$deps/build/libuv-build.log" 2>&1 \
        || { tail -n 50 "$deps/build/libuv-build.log" >&2; exit 1; }
    lib=$(find "$uv_build" -maxdepth 1 -name 'libuv*.a' | head -n1)
    [[ -n $lib ]] || { echo "libuv static archive not produced" >&2; exit 1; }
    rm -rf "$uv_prefix"
    mkdir -p "$uv_prefix/include" "$uv_prefix/lib"
    cp "$uv_src/include/uv.h" "$uv_prefix/include/"
    cp -r "$uv_src/include/uv" "$uv_prefix/include/"
    cp "$lib" "$uv_prefix/lib/"
    [[ $(basename "$lib") == libuv.a ]] || ln -sfn "$(basename "$lib")" "$uv_prefix/lib/libuv.a"
    echo "$stamp_want" >"$uv_prefix/.stamp"
    step_end "built $(basename "$lib")"
fi

# ---------------------------------------------------------------- header symlinks
step_begin "header + Catch2 package symlinks"
inc=$deps/mingw/include
mkdir -p "$inc"
for h in boost spdlog fmt cereal catch2; do
    [[ -d /usr/include/$h ]] || { echo "/usr/include/$h missing" >&2; exit 1; }
    [[ $(readlink "$inc/$h" 2>/dev/null) == "/usr/include/$h" ]] || ln -sfn "/usr/include/$h" "$inc/$h"
done
# Catch2 v2 (header-only) CMake package, so find_package(Catch2) works under
# the toolchain's find-root ONLY mode.  Symlink the files, not the directory:
# Catch2Targets.cmake resolves a symlinked directory back to /usr and would then
# put all of /usr/include on the include path.  Through a real directory its
# prefix is .deps/mingw, include dir .deps/mingw/include.
c2=$deps/mingw/lib/cmake/Catch2
[[ -L $c2 ]] && rm -f "$c2"
mkdir -p "$c2"
# Leave out Catch2Targets-*.cmake: it points Catch2::Catch2WithMain at Debian's
# Linux libCatch2WithMain.a (unusable here; use Catch2::Catch2 + own main).
rm -f "$c2"/Catch2Targets-*.cmake
for f in /usr/lib/cmake/Catch2/*.cmake; do
    [[ $f == */Catch2Targets-*.cmake ]] && continue
    [[ $(readlink "$c2/${f##*/}" 2>/dev/null) == "$f" ]] || ln -sfn "$f" "$c2/${f##*/}"
done
step_end "ok"

# ---------------------------------------------------------------- wine prefix
if [[ ${MPROC_SKIP_WINEPREFIX:-0} != 1 ]]; then
    step_begin "wine prefix"
    prefix=${WINEPREFIX:-$deps/wineprefix}
    if [[ -f $prefix/.mproc-prefix-ready ]]; then   # marker written by wine-run.sh
        step_end "present: $prefix"
    else
        "$script_dir/wine-run.sh" --init
        "$script_dir/wine-stop.sh"
        step_end "created: $prefix"
    fi
fi

awk -v a="$t_total" -v b="$(now)" 'BEGIN{printf "==> total %.1f s\n", b-a}'
