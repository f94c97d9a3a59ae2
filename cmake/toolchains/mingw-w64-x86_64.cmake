# CMake toolchain file: cross-build for 64-bit Windows with Debian's mingw-w64
# (posix thread model), tests run through Wine.
#
#   scripts/windows/setup-mingw-deps.sh          # once: compilers, Wine, libuv, headers
#   cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake
#   cmake --build build-mingw -j2 && (cd build-mingw && ctest -j2)
#
# Dependencies live under MPROC_MINGW_DEPS (default: <repo>/.deps/mingw):
#   <deps>/include/{boost,spdlog,fmt,cereal,catch2}  symlinks to the Linux headers
#                                                     (added as -isystem, see below)
#   <deps>/libuv/{include/uv.h,include/uv/,lib/libuv.a} static libuv built by the setup script
# Both <deps> and <deps>/libuv are find roots, so plain find_path(uv.h) /
# find_library(uv) find libuv.  Header-only spdlog over external fmt needs
# FMT_HEADER_ONLY defined by the project (Debian's spdlog sets SPDLOG_FMT_EXTERNAL).

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_mproc_mingw_triplet x86_64-w64-mingw32)

set(CMAKE_C_COMPILER   ${_mproc_mingw_triplet}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_mproc_mingw_triplet}-g++-posix)
set(CMAKE_RC_COMPILER  ${_mproc_mingw_triplet}-windres)

get_filename_component(_mproc_repo_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(MPROC_MINGW_DEPS "${_mproc_repo_root}/.deps/mingw"
    CACHE PATH "Prefix holding the mingw-w64 dependencies (libuv, header symlinks)")
get_filename_component(MPROC_MINGW_DEPS "${MPROC_MINGW_DEPS}" ABSOLUTE)
# try_compile()/try_run() projects re-read this file: hand them the user's value.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MPROC_MINGW_DEPS)

set(CMAKE_FIND_ROOT_PATH
    /usr/${_mproc_mingw_triplet}
    "${MPROC_MINGW_DEPS}"
    "${MPROC_MINGW_DEPS}/libuv")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The cross compiler does not search /usr/include (and must not: it holds Linux
# headers).  Expose only the symlinked header-only libraries, as system headers
# so their warnings do not trip -Werror.
# -Wa,-mbig-obj: PE/COFF objects are limited to 32767 sections; a TU including
# header-only fmt/spdlog + Catch2 exceeds that ("too many sections", "file too big").
set(CMAKE_C_FLAGS_INIT   "-isystem \"${MPROC_MINGW_DEPS}/include\" -Wa,-mbig-obj")
set(CMAKE_CXX_FLAGS_INIT "-isystem \"${MPROC_MINGW_DEPS}/include\" -Wa,-mbig-obj")

# Fully static executables: they import only system DLLs, so Wine needs nothing else.
set(CMAKE_EXE_LINKER_FLAGS_INIT    "-static -static-libgcc -static-libstdc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")

# Link with LLD when the setup script made it reachable: GNU ld takes ~50 s per executable on
# the debug-info-heavy objects of this project, LLD under a second (the whole Windows build
# links ~30 programs). gcc's -fuse-ld=lld runs <its default ld path>.lld, hence the name.
if(EXISTS "/usr/bin/${_mproc_mingw_triplet}-ld.lld")
  foreach(kind EXE SHARED MODULE)
    string(APPEND CMAKE_${kind}_LINKER_FLAGS_INIT " -fuse-ld=lld")
  endforeach()
endif()

# add_test() on an .exe target (and try_run) goes through Wine, headless.
set(CMAKE_CROSSCOMPILING_EMULATOR "${_mproc_repo_root}/scripts/windows/wine-run.sh")
