#pragma once
#include <cstdint>

namespace mproc {

/// An OS handle that a user may wait on or pass to other APIs.
/// POSIX: a file descriptor. Windows: a `HANDLE` (process sentinels) or a CRT file descriptor
/// (channel ends), stored as an integer so that no OS header is needed here.
using native_handle = std::intptr_t;

/// The value of a handle that refers to nothing.
inline constexpr native_handle invalid_handle = -1;

/// What a handle is, for handing it to another process. POSIX: both are file descriptors.
/// Windows: a CRT descriptor (pipe and file ends) or a raw `HANDLE` (mutexes, semaphores,
/// file mappings, processes).
enum class handle_kind : std::uint8_t { descriptor = 0, os_object = 1 };

}  // namespace mproc
