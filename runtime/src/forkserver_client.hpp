#pragma once
// This process's forkserver: started on first use of the forkserver start method, stopped at
// exit (it also stops by itself when this process dies, on EOF of its control channel).
#include <uv.h>

#include <mutex>
#include <string>

#include "event_loop.hpp"
#include "mproc/platform/forkserver.hpp"

namespace mproc::detail {

class Forkserver {
 public:
  explicit Forkserver(EventLoop& loop);

  /// Asks the server for a child that gets `child_channel`; see `platform::forkserver_request`.
  void request(native_handle child_channel, int& pid, native_handle& status_connection);

  /// Closes the control channel (the server exits) and removes the socket.
  void shutdown() noexcept;

  /// In a forked child of the owner: drop the owner's control channel descriptor.
  void close_in_forked_child() noexcept;

 private:
  void start_server();

  EventLoop& loop_;
  std::mutex mutex_;
  platform::forkserver_endpoint endpoint_;
  native_handle control_ = invalid_handle;
  bool running_ = false;
};

/// In a process started as a forkserver: serve until the owner goes away. Never returns.
[[noreturn]] void run_forkserver(native_handle control, native_handle listener);

}  // namespace mproc::detail
