#pragma once
// Turns platform error codes into exceptions (asio's `detail/throw_error.hpp`): an inline
// check, an out-of-line throw.
#include <string>
#include <system_error>

namespace mproc::detail {

[[noreturn]] void throw_system_error(std::error_code ec, const std::string& what);

inline void throw_error(std::error_code ec, const char* what) {
  if (ec) throw_system_error(ec, what);
}

inline void throw_uv_error(int status, const char* what);

}  // namespace mproc::detail

#include "mproc/platform/error.hpp"

namespace mproc::detail {

inline void throw_uv_error(int status, const char* what) {
  if (status < 0) throw_system_error(platform::uv_error(status), what);
}

}  // namespace mproc::detail
