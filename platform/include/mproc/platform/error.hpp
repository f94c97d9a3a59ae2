#pragma once
// Errors from the OS as std::error_code; runtime/ turns them into exceptions.
#include <string>
#include <system_error>

namespace mproc::platform {

/// The calling thread's last OS error (errno / GetLastError) as an error_code.
std::error_code last_error() noexcept;

/// An error_code for a libuv status (negative errno-style value from a uv_* call).
std::error_code uv_error(int status) noexcept;

/// The category of libuv errors; its messages are `uv_strerror`'s.
const std::error_category& uv_category() noexcept;

/// An error_code meaning "this operation is not available on this platform".
std::error_code not_supported() noexcept;

}  // namespace mproc::platform
