#include "process/bootstrap.hpp"
#include "process/launch_roles.hpp"
#include "core/process_hooks.hpp"

#include <uv.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>

#include <spdlog/logger.h>

#include "process/forkserver_client.hpp"
#include "connection/frame.hpp"
#include "core/identity.hpp"
#include "core/logging_state.hpp"
#include "mproc/start_method.hpp"
#include "mproc/errors.hpp"
#include "mproc/init.hpp"
#include "mproc/logging.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/command_line.hpp"
#include "mproc/platform/handle_transfer.hpp"
#include "mproc/platform/process_control.hpp"
#include "process/process_record.hpp"
#include "synchronize/resource_tracker.hpp"
#include "process/runtime.hpp"
#include "core/spawn_command.hpp"
#include "mproc/platform/named_memory.hpp"

namespace mproc::detail {
namespace {

std::atomic<bool> init_called{false};

const void* resolve(const platform::module_address& where, const char* what) {
  const void* address = nullptr;
  if (platform::resolve_code(where, address)) {
    throw ProcessError(std::string("cannot find the ") + what + " in module '" + where.module +
                       "' of the child: parent and child do not run the same binary");
  }
  return address;
}

platform::module_address locate(const void* address, const char* what) {
  platform::module_address where;
  if (platform::locate_code(address, where)) {
    throw ProcessError(std::string("cannot locate the ") + what +
                       " in a loaded module, so a spawned child could not find it");
  }
  return where;
}

// A marker every build of the library has at a build-specific offset: part of the "same
// binary" check alongside the executable's size and modification time.
void anchor() {}

}  // namespace

const char* const bootstrap_help =
    "An attempt has been made to start a new process before the current process has finished "
    "its bootstrapping phase. This program was re-executed by mproc to run a child process "
    "(spawn or forkserver start method), but its main() did not call mproc::init(argc, argv) "
    "before starting processes, so it ran the parent's code again. Fix: make "
    "`mproc::init(argc, argv);` the first line of main() (the C++ form of Python's "
    "`if __name__ == '__main__':`).";

bool initialized() noexcept { return init_called.load(); }

namespace {
std::vector<LaunchRole>& launch_roles() {
  static std::vector<LaunchRole> roles;
  return roles;
}
}  // namespace

void add_launch_role(LaunchRole role) { launch_roles().push_back(role); }

std::string build_fingerprint() {
  return platform::executable_fingerprint() + "#" +
         std::to_string(locate(reinterpret_cast<const void*>(&anchor), "anchor").offset);
}

bool is_reexecuted_child() noexcept {
  char value[32];
  std::size_t size = sizeof value;
  return uv_os_getenv(role_variable, value, &size) == 0;
}

std::string make_bootstrap_frame(const ProcessRecord& record, const SpawnEntry& entry,
                                 bool arm_death_signal) {
  const Identity& me = current_identity();
  BootstrapMessage msg;
  msg.fingerprint = build_fingerprint();
  msg.trampoline = locate(reinterpret_cast<const void*>(entry.trampoline), "target's trampoline");
  if (entry.target != nullptr) {
    msg.target = locate(entry.target, "target function");
    msg.has_target = true;
  }
  msg.args = entry.args;
  msg.name = record.name;
  msg.daemon = record.daemon;
  msg.path = record.path;
  msg.parent_pid = static_cast<int>(uv_os_getpid());
  msg.parent_name = me.name;
  msg.log_level = log_level();
  msg.start_method = get_start_method();
  msg.arm_death_signal = arm_death_signal;
  for (const auto& h : entry.handles) msg.handle_kinds.push_back(static_cast<std::uint8_t>(h.kind));
  msg.tracker_index = entry.tracker_index;
  return encode_frame(FrameKind::bootstrap, wire::save(msg));
}

void send_entry_handles(const SpawnEntry& entry, native_handle channel, native_handle child_process) {
  if (entry.handles.empty()) return;
  std::vector<platform::handle_ref> refs;
  for (const auto& h : entry.handles) refs.push_back({h.handle, h.kind});
  // A child that died already makes this fail; its exitcode tells the story.
  (void)platform::send_handles(channel, child_process, refs);
}

int run_process_body(const std::function<void()>& body) {
  constexpr int info = spdlog::level::info;
  if (logs_at(info)) get_logger()->info("child process calling self.run()");
  int code = 0;
  try {
    body();
  } catch (const SystemExit& e) {
    code = e.code;
  } catch (const std::exception& e) {
    // Always printed, as Python prints the traceback of a child's uncaught exception.
    std::fflush(stdout);
    std::fprintf(stderr, "Process %s:\n%s: %s\n", current_identity().name.c_str(),
                 type_name(typeid(e)).c_str(), e.what());
    code = 1;
  } catch (...) {
    std::fflush(stdout);
    std::fprintf(stderr, "Process %s:\nan exception of unknown type escaped the target\n",
                 current_identity().name.c_str());
    code = 1;
  }
  // Looked up again: the body may have turned logging on.
  if (logs_at(info)) get_logger()->info("process exiting with exitcode {}", code);
  return code;
}

void exit_child(int code) {
  give_back_remote_references();  // before the process vanishes, so managers can free objects
  Runtime::instance().exit_handling();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  platform::fast_exit(code);
}

// Watches the channel for the parent's EOF. Only once the channel carries nothing more: a read
// here would swallow the byte that the argument handles ride on, and with it the handles.
void watch_parent_death(native_handle channel) {
  std::thread([channel] {
    platform::wait_for_eof(channel);
    platform::fast_exit(1);  // Our parent is gone: a daemonic process does not outlive it.
  }).detach();
}

void guard_parent_death(native_handle channel, int parent_pid, bool arm_signal) {
  // Armed from a thread that lives as long as the parent, against the pid read before the fork
  // (so a parent that died first is caught at once), the signal alone is enough: the watcher
  // would only add a thread to every worker's start and exit.
  if (arm_signal && platform::arm_parent_death_signal(parent_pid)) return;
  watch_parent_death(channel);
}

int run_child_from_channel(native_handle channel) {
  BootstrapMessage msg;
  try {
    wire::load(read_frame(channel, FrameKind::bootstrap), msg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: cannot read this child's task from its parent: %s\n", e.what());
    return 1;
  }
  Identity me;
  me.name = msg.name;
  me.daemon = msg.daemon;
  me.path = msg.path;
  me.is_child = true;
  me.parent_pid = msg.parent_pid;
  me.parent_name = msg.parent_name;
  me.parent_channel = channel;
  set_identity(std::move(me));
  reset_child_numbers();
  if (msg.log_level != log_level()) set_log_level(msg.log_level);
  if (!msg.start_method.empty()) set_start_method(msg.start_method, true);
  // The death signal comes from whoever forked us: the parent itself (spawn), or its forkserver
  // (which exits when the parent dies).
  if (msg.daemon && msg.arm_death_signal)
    platform::arm_parent_death_signal(static_cast<int>(uv_os_getppid()));

  std::string expected = build_fingerprint();
  if (msg.fingerprint != expected) {
    std::fprintf(stderr,
                 "mproc: process %s was started from a different build of this program (%s, now "
                 "%s); it will not run a task it cannot trust. Rebuild and restart the parent.\n",
                 msg.name.c_str(), msg.fingerprint.c_str(), expected.c_str());
    return 1;
  }
  trampoline_fn trampoline = nullptr;
  const void* target = nullptr;
  try {
    trampoline = reinterpret_cast<trampoline_fn>(const_cast<void*>(resolve(msg.trampoline, "trampoline")));
    if (msg.has_target) target = resolve(msg.target, "target function");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: %s\n", e.what());
    return 1;
  }
  std::vector<handle_kind> kinds;
  for (auto k : msg.handle_kinds) kinds.push_back(static_cast<handle_kind>(k));
  std::vector<native_handle> handles;
  if (auto ec = platform::receive_handles(channel, kinds, handles)) {
    std::fprintf(stderr, "mproc: process %s cannot receive the handles of its arguments: %s\n",
                 msg.name.c_str(), ec.message().c_str());
    return 1;
  }
  if (msg.tracker_index >= 0 && static_cast<std::size_t>(msg.tracker_index) < handles.size()) {
    // The program's resource tracker: kept for the life of this process.
    ResourceTracker::instance().adopt(handles[static_cast<std::size_t>(msg.tracker_index)]);
    handles[static_cast<std::size_t>(msg.tracker_index)] = invalid_handle;
  }
  if (msg.daemon) watch_parent_death(channel);
  HandleImportScope imported(std::move(handles), std::move(kinds));
  return run_process_body([&] { trampoline(target, msg.args); });
}

int run_forkserver_child(native_handle channel) {
  Runtime::close_inherited_descriptors();
  exit_child(run_child_from_channel(channel));
}

}  // namespace mproc::detail

namespace mproc {

namespace {

std::vector<std::string>& program_arguments() {
  static std::vector<std::string> args;
  return args;
}

// The OS's copy of the command line where there is one (UTF-8 on Windows too), else `given`.
void record_arguments(std::vector<std::string> given) {
  std::vector<std::string> from_os = platform::command_line();
  program_arguments() = from_os.empty() ? std::move(given) : std::move(from_os);
}

}  // namespace

const std::vector<std::string>& argv() { return program_arguments(); }

void init(int argc, char** argv) {
  std::vector<std::string> given;
  for (int i = 0; argv != nullptr && i < argc; ++i) given.emplace_back(argv[i] != nullptr ? argv[i] : "");
  record_arguments(std::move(given));
  init();
}

void init() {
  if (program_arguments().empty()) record_arguments({});
  detail::init_called.store(true);
  char role[32];
  std::size_t size = sizeof role;
  if (uv_os_getenv(detail::role_variable, role, &size) != 0) {  // A user's run
    for (detail::LaunchRole r : detail::launch_roles()) r();     // (or an MPI rank's).
    return;
  }
  // Descendants that this child runs with `system()` and the like are not mproc children.
  uv_os_unsetenv(detail::role_variable);
  std::string which(role, size);
  if (which == detail::role_forkserver) {
    detail::run_forkserver(platform::adopt_inherited(detail::first_inherited_fd),
                           platform::adopt_inherited(detail::first_inherited_fd + 1));
  }
  if (which == detail::role_resource_tracker)
    platform::run_resource_tracker(platform::adopt_inherited(detail::first_inherited_fd));
  native_handle channel = platform::adopt_inherited(detail::first_inherited_fd);
  int code = detail::run_child_from_channel(channel);
  detail::Runtime::instance().exit_handling();
  // As Python's spawned children end with `sys.exit`: static destructors and atexit handlers run.
  std::exit(code);
}

}  // namespace mproc
