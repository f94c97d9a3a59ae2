#include <uv.h>

#include "mproc/platform/crypto.hpp"
#include "mproc/platform/error.hpp"

namespace mproc::platform {

bool digests_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;  // No early exit: the time taken must not depend on where they differ.
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::error_code random_bytes(std::size_t n, std::string& out) {
  out.assign(n, '\0');
  // With a null loop and callback uv_random runs synchronously.
  return uv_error(uv_random(nullptr, nullptr, out.data(), n, 0, nullptr));
}

std::string random_hex(std::size_t n) {
  std::string bytes, out;
  if (random_bytes(n, bytes)) return out;
  for (unsigned char c : bytes) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
  return out;
}

}  // namespace mproc::platform
