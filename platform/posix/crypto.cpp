#include "mproc/platform/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace mproc::platform {

std::error_code hmac_sha256(std::string_view key, std::string_view message, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &length) == nullptr)
    return std::make_error_code(std::errc::protocol_error);
  out.assign(reinterpret_cast<char*>(digest), length);
  return {};
}

}  // namespace mproc::platform
