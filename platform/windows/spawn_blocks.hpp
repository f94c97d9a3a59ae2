#pragma once
// Windows-only: the three blocks CreateProcessW takes from a spawn, built from UTF-16 strings.
// Pure functions (no handles are opened), so each rule lives in one place.
#include <windows.h>

#include <string>
#include <vector>

namespace mproc::platform {

/// The command line that the child's CRT splits back into exactly `arguments` (the MSVCRT
/// rules: quotes around an argument with a space, tab or quote, backslashes doubled only
/// before a quote).
std::wstring quote_command_line(const std::vector<std::wstring>& arguments);

/// A CREATE_UNICODE_ENVIRONMENT block: "NAME=value" strings sorted by name, case-insensitively
/// and without regard to locale (as CreateProcess documents), each ended by L'\0', the block
/// by one more.
std::wstring environment_block(std::vector<std::wstring> variables);

/// The CRT's descriptor-inheritance block (STARTUPINFO's lpReserved2/cbReserved2, what
/// `_spawn` and libuv pass): the count, one flag byte per descriptor, then the HANDLEs. The
/// child's CRT opens descriptor i on handles[i]. `handles` are inheritable handles the child
/// will get; each one's flags are derived from its file type.
std::vector<BYTE> crt_inheritance_block(const std::vector<HANDLE>& handles);

}  // namespace mproc::platform
