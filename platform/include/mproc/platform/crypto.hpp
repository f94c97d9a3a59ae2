#pragma once
// Message authentication for handshakes (forkserver now; Listener/Client and Manager later).
// POSIX: OpenSSL's libcrypto; Windows: BCrypt. Random bytes come from libuv's `uv_random`.
#include <string>
#include <string_view>
#include <system_error>

namespace mproc::platform {

/// HMAC-SHA256 of `message` under `key` (32 bytes).
std::error_code hmac_sha256(std::string_view key, std::string_view message, std::string& out);

/// Constant-time comparison of two digests.
bool digests_equal(std::string_view a, std::string_view b) noexcept;

/// `n` cryptographically random bytes.
std::error_code random_bytes(std::size_t n, std::string& out);

/// `n` random bytes as 2n lowercase hex digits, for unguessable names (empty on failure).
std::string random_hex(std::size_t n);

}  // namespace mproc::platform
