#include "mproc/platform/error.hpp"

#include <cerrno>

namespace mproc::platform {

std::error_code last_error() noexcept { return {errno, std::generic_category()}; }

std::error_code not_supported() noexcept {
  return std::make_error_code(std::errc::function_not_supported);
}

}  // namespace mproc::platform
