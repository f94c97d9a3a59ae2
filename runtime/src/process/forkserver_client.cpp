#include "process/forkserver_client.hpp"

#include <atomic>
#include <string>
#include <string_view>

#include "process/bootstrap.hpp"
#include "connection/frame.hpp"
#include "mproc/errors.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/process_control.hpp"
#include "mproc/platform/sentinel.hpp"
#include "mproc/serialization.hpp"
#include "mproc/platform/spawn.hpp"
#include "core/spawn_command.hpp"
#include "core/throw_error.hpp"

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

// After the setup frame, a new server answers with one byte on its control channel: it is
// ready to fork, or it is a run of a main() that reached Process::start without calling
// mproc::init, and so will never serve. Anything else (EOF) means it died before it was ready.
constexpr char server_ready = 'R';
constexpr char server_without_init = 'I';

// How long a new server may take to answer: exec, static initialisers, and whatever main()
// does before mproc::init (which should be nothing). A main() that blocks before init (or
// without it) would otherwise make start() hang; this bounds it.
constexpr int ready_timeout_ms = 30000;

}  // namespace

// A server process, as the loop thread knows it: once it has exited (and was reaped) it is
// never signalled again, so a reused pid is safe.
struct Forkserver::ServerProcess {
  platform::spawned_child child;
  bool exited = false;
  ~ServerProcess() { platform::release_spawned_child(child); }
};

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
  auto server = std::make_shared<ServerProcess>();
  try {
    server->child = spawn_own_binary(SpawnRole::forkserver, {control.child, listener});
  } catch (...) {
    platform::close_handle(control.child);
    platform::close_handle(listener);
    platform::close_handle(control.parent);
    platform::forkserver_remove(endpoint_);
    throw;
  }
  platform::close_handle(control.child);
  platform::close_handle(listener);
  int server_pid = server->child.pid;
  loop_.call([this, server](uv_loop_t* loop) {
    server_ = server;
    // Reaped when it exits, so that no zombie is left; nobody waits for its exit code.
    auto ec = platform::watch_spawned_child(loop, server->child, [server](int) { server->exited = true; });
    (void)ec;  // Without a watch it is only reaped at our exit; nothing else depends on it.
    return 0;
  });
  control_ = control.parent;
  ServerSetup setup{endpoint_.directory, endpoint_.socket_path, endpoint_.authkey};
  std::string frame = encode_frame(FrameKind::forkserver_setup, wire::save(setup));
  // A server that is gone already makes this fail; its answer (or EOF) below says why.
  (void)platform::write_all(control_, frame.data(), frame.size());
  try {
    await_ready(server_pid);
  } catch (...) {
    abandon_server();
    throw;
  }
  running_ = true;
}

void Forkserver::await_ready(int server_pid) {
  char answer = 0;
  bool eof = false;
  if (!platform::wait_channel(control_, ready_timeout_ms)) {
    throw ProcessError(
        "the forkserver (this program run again, pid " + std::to_string(server_pid) +
        ") did not get ready within " + std::to_string(ready_timeout_ms / 1000) +
        " s, so it was stopped: its main() must call mproc::init(argc, argv) first, before "
        "anything that takes time or waits");
  }
  auto ec = platform::read_exact(control_, &answer, 1, eof);
  if (!ec && !eof && answer == server_ready) return;
  // The same error, word for word, as a spawned child that made this mistake gets.
  if (!ec && !eof && answer == server_without_init) throw BootstrapError(bootstrap_help);
  throw ProcessError(
      "the forkserver (this program run again, pid " + std::to_string(server_pid) +
      ") exited before it was ready: it was killed, or its main() returned or exited before "
      "calling mproc::init(argc, argv) (which must be the first line of main); see its stderr");
}

void Forkserver::abandon_server() noexcept {
  // It never serves, and it may be running the program's own main() again: it must not linger.
  loop_.call([this](uv_loop_t*) {
    if (server_ != nullptr && !server_->exited)
      (void)platform::signal_spawned_child(server_->child, platform::signal_kill());
    return 0;
  });
  platform::close_handle(control_);
  control_ = invalid_handle;
  platform::forkserver_remove(endpoint_);
}

void Forkserver::request(native_handle child_channel, int& pid, native_handle& status_connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (int attempt = 1;; ++attempt) {
    if (!running_) start_server();
    bool request_sent = false;
    auto ec = platform::forkserver_request(endpoint_, child_channel, pid, status_connection, request_sent);
    if (!ec) return;
    // The server was killed (nobody listens, or it died during the handshake): as Python's
    // ensure_running does, the next use gets a new one, once. A failure after the server took
    // the request is reported instead: a retry could start the child twice.
    if (request_sent || attempt == 2)
      throw SystemError(ec, "the forkserver did not start the process (it may have been killed "
                            "while it served this request; see its stderr)");
    abandon_server();
    running_ = false;
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
  server_ = nullptr;  // The parent's loop watches it, not ours.
}

void run_forkserver(native_handle control, native_handle listener) {
  ServerSetup setup;
  try {
    wire::load(read_frame(control, FrameKind::forkserver_setup), setup);
  } catch (const std::exception&) {
    platform::fast_exit(1);  // The owner died before it told us anything.
  }
  (void)platform::write_all(control, &server_ready, 1);  // The owner waits for this to connect.
  platform::forkserver_serve(control, listener, setup.authkey, &run_forkserver_child);
  platform::forkserver_endpoint endpoint{setup.directory, setup.socket_path, setup.authkey};
  platform::forkserver_remove(endpoint);
  platform::fast_exit(0);
}

void tell_forkserver_owner_init_is_missing() noexcept {
  char role[32];
  std::size_t size = sizeof role;
  if (uv_os_getenv(role_variable, role, &size) != 0 || std::string_view(role, size) != role_forkserver)
    return;
  static std::atomic<bool> told{false};
  if (told.exchange(true)) return;
  // The control channel is still where the owner put it: without init nothing adopted it.
  (void)platform::write_all(platform::adopt_inherited(first_inherited_fd), &server_without_init, 1);
}

}  // namespace mproc::detail
