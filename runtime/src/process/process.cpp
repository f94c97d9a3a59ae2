#include "mproc/process.hpp"

#include <uv.h>

#include <typeinfo>

#include "process/bootstrap.hpp"
#include "process/forkserver_client.hpp"
#include "core/identity.hpp"
#include "process/launch.hpp"
#include "synchronize/resource_tracker.hpp"
#include "mproc/start_method.hpp"
#include "mproc/errors.hpp"
#include "mproc/platform/process_control.hpp"
#include "process/process_record.hpp"
#include "process/runtime.hpp"
#include "core/throw_error.hpp"

namespace mproc {
namespace detail {

namespace {

int own_pid() { return static_cast<int>(uv_os_getpid()); }

// Python's default name: the class name, then the identity path ("Process-1", "Consumer-2:1").
std::string default_name(std::string_view class_name, const std::vector<int>& path) {
  std::string name(class_name);
  name += '-';
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0) name += ':';
    name += std::to_string(path[i]);
  }
  return name;
}

// "app::Consumer" -> "Consumer", "(anonymous namespace)::Stage<int>" -> "Stage<int>": what
// Python's `type(self).__name__` shows.
std::string_view short_class_name(std::string_view type) {
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (type[i] == '<') ++depth;
    else if (type[i] == '>') --depth;
    else if (depth == 0 && type[i] == ':' && i + 1 < type.size() && type[i + 1] == ':') start = i + 2;
  }
  return type.substr(start);
}

// What a spawned child runs for a `Process` without a target: nothing, like Python's.
void run_nothing(const void*, std::string_view) {}

}  // namespace

void adopt_current_identity(Process& process) {
  const Identity& me = current_identity();
  process.record_->name = me.name;
  process.record_->daemon = me.daemon;
  process.record_->path = me.path;
  process.record_->creator_pid = me.parent_pid;
  process.record_->is_current = true;
}

}  // namespace detail

using detail::ProcessRecord;

Process::Process() : Process(ProcessOptions{}) {}

Process::Process(ProcessOptions options) : record_(std::make_shared<ProcessRecord>()) {
  const detail::Identity& me = detail::current_identity();
  record_->creator_pid = detail::own_pid();
  record_->path = me.path;
  record_->path.push_back(detail::next_child_number());
  if (options.name.empty()) {
    record_->name = detail::default_name("Process", record_->path);
  } else {
    record_->name = std::move(options.name);
  }
  record_->daemon = options.daemon.value_or(me.daemon);
  record_->start_method = std::move(options.start_method);
}

Process::Process(std::shared_ptr<ProcessRecord> record) : record_(std::move(record)) {}

Process::~Process() = default;

void Process::set_task(detail::Task task) { record_->task = std::move(task); }

void Process::set_subclass_entry(detail::trampoline_fn entry,
                                 std::string (*save)(const Process&),
                                 std::string type) {
  subclass_entry_ = entry;
  subclass_save_ = save;
  subclass_type_ = std::move(type);
  // As in Python, a subclass without a given name is named after its class: "Consumer-1".
  if (record_->name == detail::default_name("Process", record_->path))
    record_->name = detail::default_name(detail::short_class_name(subclass_type_), record_->path);
}

void Process::run() {
  if (!record_->task.empty()) record_->task.run_here();
}

void Process::check_not_closed() const {
  if (record_->state == ProcessRecord::State::closed) throw ValueError("process object is closed");
}

void Process::start() {
  ProcessRecord& r = *record_;
  detail::Runtime& runtime = detail::Runtime::instance();  // Fork handlers before the first fork.
  std::string method;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    check_not_closed();
    if (r.state == ProcessRecord::State::started) throw ProcessError("cannot start a process twice");
    if (r.creator_pid != detail::own_pid())
      throw ProcessError("can only start a process object created by the current process");
    if (detail::current_identity().daemon)
      throw ProcessError("daemonic processes are not allowed to have children");
    if (detail::is_reexecuted_child() && !detail::initialized()) {
      detail::tell_forkserver_owner_init_is_missing();  // A forkserver's owner waits to hear it.
      throw BootstrapError(detail::bootstrap_help);
    }
    method = r.start_method.empty() ? get_start_method() : r.start_method;
    method = detail::checked_start_method(method);  // ValueError if unknown or unavailable here
    r.start_method = method;
    r.state = ProcessRecord::State::started;
  }
  (void)runtime;
  try {
    if (method == "fork") {
      detail::launch_fork(record_, [this] { this->run(); });
      return;
    }
    detail::SpawnEntry entry;
    if (subclass_entry_ != nullptr) {
      entry.trampoline = subclass_entry_;
      detail::HandleExportScope exported;
      entry.args = subclass_save_(*this);
      entry.handles = exported.take();
    } else if (!r.task.empty()) {
      if (r.task.trampoline == nullptr)
        throw ValueError("cannot start " + r.name + " with the " + method + " start method: " +
                         r.task.not_spawnable_reason());
      entry.trampoline = r.task.trampoline;
      entry.target = r.task.target;
      detail::HandleExportScope exported;
      entry.args = r.task.save_args();
      entry.handles = exported.take();
    } else if (typeid(*this) != typeid(Process)) {
      throw ValueError("cannot start " + r.name + " (a " + detail::type_name(typeid(*this)) +
                       ") with the " + method +
                       " start method: a child made by re-execution must rebuild the object; "
                       "derive it from mproc::ProcessClass<" + detail::type_name(typeid(*this)) +
                       "> and give it a serialize member, or use the fork start method");
    } else {
      entry.trampoline = &detail::run_nothing;
    }
    // The child shares this program's resource tracker, if one runs.
    if (native_handle tracker = detail::ResourceTracker::instance().channel(); tracker != invalid_handle) {
      entry.tracker_index = static_cast<int>(entry.handles.size());
      entry.handles.push_back({tracker, handle_kind::descriptor});
    }
    if (method == "spawn") detail::launch_spawn(record_, entry);
    else detail::launch_forkserver(record_, entry);
  } catch (...) {
    std::lock_guard<std::mutex> lock(r.mutex);
    r.state = ProcessRecord::State::created;  // Nothing was started: it may be tried again.
    throw;
  }
}

void Process::join() { join_for(std::chrono::nanoseconds::max()); }

void Process::join(double timeout_seconds) {
  if (timeout_seconds < 0) timeout_seconds = 0;  // Python treats a negative timeout as 0.
  join_for(std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(std::min(timeout_seconds, 1e9))));
}

void Process::join_for(std::chrono::nanoseconds timeout) {
  ProcessRecord& r = *record_;
  std::unique_lock<std::mutex> lock(r.mutex);
  check_not_closed();
  if (r.creator_pid != detail::own_pid()) throw ProcessError("can only join a child process");
  if (r.state != ProcessRecord::State::started) throw ProcessError("can only join a started process");
  auto done = [&] { return r.exit_status().has_value(); };
  if (timeout == std::chrono::nanoseconds::max()) {
    r.exited.wait(lock, done);
  } else {
    r.exited.wait_until(lock, std::chrono::steady_clock::now() + timeout, done);
  }
}

bool Process::is_alive() const {
  ProcessRecord& r = *record_;
  check_not_closed();
  if (r.creator_pid != detail::own_pid()) throw ProcessError("can only test a child process");
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.state == ProcessRecord::State::started && !r.exit_status();
}

namespace {

void signal_child(ProcessRecord& r, int sig, const char* verb) {
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.state == ProcessRecord::State::closed) throw ValueError("process object is closed");
  if (r.state != ProcessRecord::State::started)
    throw ProcessError(std::string("cannot ") + verb + " " + r.name + ": it was not started");
  if (r.creator_pid != static_cast<int>(uv_os_getpid()))
    throw ProcessError(std::string("can only ") + verb + " a child process");
  if (!r.signallable()) return;  // Already ended: nothing to do, as in Python.
  auto ec = r.control->send_signal(sig);
  if (ec && ec != std::errc::no_such_process)
    detail::throw_system_error(ec, std::string("cannot ") + verb + " " + r.name);
}

}  // namespace

void Process::terminate() { signal_child(*record_, platform::signal_terminate(), "terminate"); }

void Process::kill() { signal_child(*record_, platform::signal_kill(), "kill"); }

void Process::close() {
  ProcessRecord& r = *record_;
  std::unique_ptr<detail::ChildControl> control;  // Released outside the lock.
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.state == ProcessRecord::State::closed) return;
  if (r.state == ProcessRecord::State::started && !r.exit_status())
    throw ValueError("Cannot close a process while it is still running. You should first call "
                     "join() or terminate().");
  control = std::move(r.control);
  r.state = ProcessRecord::State::closed;
}

std::optional<int> Process::pid() const {
  check_not_closed();
  int pid = record_->pid.load();
  return pid == 0 ? std::nullopt : std::optional<int>(pid);
}

std::optional<int> Process::exitcode() const {
  check_not_closed();
  return record_->exit_status();
}

native_handle Process::sentinel() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  check_not_closed();
  if (!record_->control) throw ValueError("process not started");
  return record_->control->sentinel();
}

std::string Process::name() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->name;
}

void Process::set_name(std::string name) {
  std::lock_guard<std::mutex> lock(record_->mutex);
  record_->name = std::move(name);
}

bool Process::daemon() const { return record_->daemon; }

void Process::set_daemon(bool daemon) {
  std::lock_guard<std::mutex> lock(record_->mutex);
  if (record_->state != ProcessRecord::State::created)
    throw ProcessError("process has already started: set daemon before start()");
  record_->daemon = daemon;
}

std::string Process::start_method() const {
  std::lock_guard<std::mutex> lock(record_->mutex);
  return record_->start_method.empty() ? get_start_method() : record_->start_method;
}

std::vector<Process> active_children() {
  std::vector<Process> live;
  for (auto& record : detail::Runtime::instance().children()) {
    if (!record->exit_status()) live.push_back(Process(record));
  }
  return live;
}

}  // namespace mproc
