#pragma once
// Listening for and making stream connections between unrelated processes (Python's
// `multiprocessing.connection` families): AF_UNIX sockets (POSIX), named pipes (Windows) and
// TCP (both). Every connected handle is what a Connection reads and writes (a descriptor; a
// CRT descriptor on Windows).
#include <string>
#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

enum class address_family { unix_socket, named_pipe, tcp };

struct endpoint {
  address_family family = address_family::tcp;
  std::string path;  ///< unix_socket: file path; named_pipe: \\.\pipe\name
  std::string host;  ///< tcp
  int port = 0;      ///< tcp; 0 when listening picks a free port
};

/// Whether this platform has `family`.
bool family_supported(address_family family) noexcept;

/// A fresh address for `family` that nobody uses (Python's `arbitrary_address`).
endpoint arbitrary_endpoint(address_family family);

struct listener {
  native_handle handle = invalid_handle;   ///< socket; Windows named pipe: the waiting instance
  endpoint bound;                           ///< with the real port for tcp port 0
};

/// Binds and listens. The handle is close-on-exec / non-inheritable.
std::error_code listen_on(const endpoint& where, int backlog, listener& out) noexcept;

/// Waits for the next client; `out` is the connected handle, `peer` (if given) the client's
/// address: host and port for tcp, the family alone otherwise (such clients have no address).
std::error_code accept_connection(listener& l, native_handle& out, endpoint* peer = nullptr) noexcept;

/// Stops listening; an AF_UNIX socket's file is removed.
void close_listener(listener& l) noexcept;

/// Connects to a listener.
std::error_code connect_to(const endpoint& where, native_handle& out) noexcept;

}  // namespace mproc::platform
