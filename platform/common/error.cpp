#include "mproc/platform/error.hpp"

#include <uv.h>

namespace mproc::platform {
namespace {

class uv_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "libuv"; }
  std::string message(int value) const override { return uv_strerror(-value); }
};

}  // namespace

const std::error_category& uv_category() noexcept {
  static const uv_error_category category;
  return category;
}

// libuv statuses are negative; the category stores the positive value so that a non-zero
// error_code means "error" as usual.
std::error_code uv_error(int status) noexcept {
  return status < 0 ? std::error_code(-status, uv_category()) : std::error_code();
}

}  // namespace mproc::platform
