#include "forkserver_client.hpp"

#include "bootstrap.hpp"
#include "frame.hpp"
#include "mproc/errors.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/process_control.hpp"
#include "mproc/serialization.hpp"
#include "spawn_command.hpp"
#include "throw_error.hpp"

namespace mproc::detail {
namespace {

struct ServerSetup {
  std::string directory;
  std::string socket_path;
  std::string authkey;
  template <class Archive>
  void serialize(Archive& a) {
    a(directory, socket_path, authkey);
  }
};

void on_server_exit(uv_process_t* process, int64_t, int) {
  uv_close(reinterpret_cast<uv_handle_t*>(process),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_process_t*>(h); });
}

}  // namespace

Forkserver::Forkserver(EventLoop& loop) : loop_(loop) {}

void Forkserver::start_server() {
  native_handle listener = invalid_handle;
  throw_error(platform::forkserver_listen(endpoint_, listener), "cannot create the forkserver's socket");
  platform::channel_pair control;
  if (auto ec = platform::make_channel(control)) {
    platform::close_handle(listener);
    platform::forkserver_remove(endpoint_);
    throw_error(ec, "cannot create the forkserver's control channel");
  }
  int rc = loop_.call([&](uv_loop_t* loop) {
    auto* process = new uv_process_t{};
    SpawnCommand command(SpawnRole::forkserver, {control.child, listener});
    int r = uv_spawn(loop, process, command.options(&on_server_exit));
    if (r != 0) delete process;
    else uv_unref(reinterpret_cast<uv_handle_t*>(process));  // The server must not keep us alive.
    return r;
  });
  platform::close_handle(control.child);
  platform::close_handle(listener);
  if (rc != 0) {
    platform::close_handle(control.parent);
    platform::forkserver_remove(endpoint_);
    throw_uv_error(rc, "cannot start the forkserver");
  }
  control_ = control.parent;
  ServerSetup setup{endpoint_.directory, endpoint_.socket_path, endpoint_.authkey};
  write_frame(control_, FrameKind::forkserver_setup, wire::save(setup));
  running_ = true;
}

void Forkserver::request(native_handle child_channel, int& pid, native_handle& status_connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!running_) start_server();
  auto ec = platform::forkserver_request(endpoint_, child_channel, pid, status_connection);
  if (ec) {
    throw SystemError(ec, "the forkserver did not start the process (it may have been killed; "
                          "see its stderr)");
  }
}

void Forkserver::shutdown() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!running_) return;
  platform::close_handle(control_);  // The server sees EOF and exits.
  platform::forkserver_remove(endpoint_);
  running_ = false;
}

void Forkserver::close_in_forked_child() noexcept {
  if (running_) platform::close_handle(control_);
  running_ = false;
}

void run_forkserver(native_handle control, native_handle listener) {
  ServerSetup setup;
  try {
    wire::load(read_frame(control, FrameKind::forkserver_setup), setup);
  } catch (const std::exception&) {
    platform::fast_exit(1);  // The owner died before it told us anything.
  }
  platform::forkserver_serve(control, listener, setup.authkey, &run_forkserver_child);
  platform::forkserver_endpoint endpoint{setup.directory, setup.socket_path, setup.authkey};
  platform::forkserver_remove(endpoint);
  platform::fast_exit(0);
}

}  // namespace mproc::detail
