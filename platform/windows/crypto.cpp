#include "mproc/platform/crypto.hpp"

#include <windows.h>
#include <bcrypt.h>

namespace mproc::platform {

std::error_code hmac_sha256(std::string_view key, std::string_view message, std::string& out) {
  BCRYPT_ALG_HANDLE alg = nullptr;
  BCRYPT_HASH_HANDLE hash = nullptr;
  auto failed = std::make_error_code(std::errc::protocol_error);
  if (::BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, nullptr,
                                    BCRYPT_ALG_HANDLE_HMAC_FLAG) < 0)
    return failed;
  unsigned char digest[32];
  bool ok = ::BCryptCreateHash(alg, &hash, nullptr, 0,
                               reinterpret_cast<PUCHAR>(const_cast<char*>(key.data())),
                               static_cast<ULONG>(key.size()), 0) >= 0 &&
            ::BCryptHashData(hash, reinterpret_cast<PUCHAR>(const_cast<char*>(message.data())),
                             static_cast<ULONG>(message.size()), 0) >= 0 &&
            ::BCryptFinishHash(hash, digest, sizeof digest, 0) >= 0;
  if (hash) ::BCryptDestroyHash(hash);
  ::BCryptCloseAlgorithmProvider(alg, 0);
  if (!ok) return failed;
  out.assign(reinterpret_cast<char*>(digest), sizeof digest);
  return {};
}

}  // namespace mproc::platform
