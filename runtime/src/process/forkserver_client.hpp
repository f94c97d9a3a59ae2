#pragma once
// This process's forkserver: started on first use of the forkserver start method, stopped at
// exit (it also stops by itself when this process dies, on EOF of its control channel).
#include <memory>
#include <mutex>
#include <string>

#include "process/event_loop.hpp"
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
  struct ServerProcess;

  void start_server();
  /// Waits for the new server's first word: returns once it is ready, throws if it will never be.
  void await_ready(int server_pid);
  /// Forgets a server that will never serve: kills it if it still runs, removes its socket.
  void abandon_server() noexcept;

  EventLoop& loop_;
  std::mutex mutex_;
  platform::forkserver_endpoint endpoint_;
  native_handle control_ = invalid_handle;
  bool running_ = false;
  std::shared_ptr<ServerProcess> server_;  // the last server started; loop thread only
};

/// In a process started as a forkserver: serve until the owner goes away. Never returns.
[[noreturn]] void run_forkserver(native_handle control, native_handle listener);

/// In a process that was started as a forkserver but whose main() reached `Process::start`
/// without calling `mproc::init`: tells the owner waiting in `start()`, so that it throws the
/// same BootstrapError (the server itself never will serve). Does nothing in any other process.
void tell_forkserver_owner_init_is_missing() noexcept;

}  // namespace mproc::detail
