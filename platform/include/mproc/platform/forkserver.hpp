#pragma once
// The forkserver start method (POSIX only): a clean, single-threaded server process (spawned by
// the runtime) forks workers on request. Clients connect over an AF_UNIX socket that lives in a
// private 0700 directory with mode 0600, and both sides prove knowledge of a random key with an
// HMAC challenge-response before anything else is exchanged. Each request passes the child's
// channel end with SCM_RIGHTS; the server answers the pid, and later the exit code on the same
// connection, which therefore works as the child's exit notification for the client.
#include <string>
#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

/// Whether this platform has the forkserver start method.
bool forkserver_supported() noexcept;

struct forkserver_endpoint {
  std::string directory;  ///< private directory holding the socket
  std::string socket_path;
  std::string authkey;    ///< random key shared with the server through its control channel
};

/// Creates the private directory and the listening socket (close-on-exec) for a new server.
std::error_code forkserver_listen(forkserver_endpoint& endpoint, native_handle& listener) noexcept;

/// Removes the socket and its directory.
void forkserver_remove(const forkserver_endpoint& endpoint) noexcept;

/// The server loop. Returns when `control` reaches EOF (the owner died or shut it down), after
/// which the caller exits. `run_child(channel)` runs in each forked child, which exits with its
/// return value. The server stays single-threaded so that forking it is always safe.
void forkserver_serve(native_handle control,
                      native_handle listener,
                      const std::string& authkey,
                      int (*run_child)(native_handle channel));

/// Asks the server for a new child that gets `child_channel`. On success `pid` is the child's pid
/// and `status_connection` a handle that becomes readable when the child has exited. On failure
/// `request_sent` tells whether the server may have received the request (and so may have
/// started the child): while it is false, asking again cannot start a second child.
std::error_code forkserver_request(const forkserver_endpoint& endpoint,
                                   native_handle child_channel,
                                   int& pid,
                                   native_handle& status_connection,
                                   bool& request_sent) noexcept;

/// Reads the exit code the server sends when the child has exited (blocks until it arrives).
std::error_code forkserver_read_exitcode(native_handle status_connection, int& exitcode) noexcept;

/// Asks the server to send `sig` to the child behind `status_connection`. The server knows
/// whether it has reaped the child yet, so unlike a plain `kill(pid)` this can never hit an
/// unrelated process that reused the pid.
std::error_code forkserver_signal(native_handle status_connection, int sig) noexcept;

}  // namespace mproc::platform
