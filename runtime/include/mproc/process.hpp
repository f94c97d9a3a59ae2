#pragma once
// `mproc::Process`: Python's `multiprocessing.Process`.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "mproc/detail/printable.hpp"
#include "mproc/detail/task.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc {

class Process;

namespace detail {
struct ProcessRecord;
// Gives a process object rebuilt in its own child the name and flags of the running process.
void adopt_current_identity(Process& process);
}  // namespace detail

/// Python's keyword arguments of `Process(...)` that are not the target or its arguments.
struct ProcessOptions {
  std::string name;             ///< empty: the default `Process-N`
  std::optional<bool> daemon;   ///< unset: inherit the current process's flag
  std::string start_method;     ///< empty: the default context's method (see `get_context`)
};

/// A child process running a target, with Python's `Process` API and semantics.
///
/// Copies refer to the same process (like Python object references). Destroying a `Process`
/// does not stop its child: as in Python, the runtime keeps track of it, reaps it when it exits
/// and, at normal exit, joins it (or terminates it, if daemonic).
class Process {
 public:
  /// A process that runs `run()`; for subclasses that override it.
  Process();
  explicit Process(ProcessOptions options);

  /// A process that runs `target(args...)`.
  template <class F, class... Args,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, ProcessOptions> &&
                                     !std::is_base_of_v<Process, std::decay_t<F>>>>
  explicit Process(F&& target, Args&&... args)
      : Process(ProcessOptions{}, std::forward<F>(target), std::forward<Args>(args)...) {}

  /// A process with options that runs `target(args...)`.
  template <class F, class... Args>
  Process(ProcessOptions options, F&& target, Args&&... args) : Process(std::move(options)) {
    set_task(detail::make_task(std::forward<F>(target), std::forward<Args>(args)...));
  }

  Process(const Process&) = default;
  Process& operator=(const Process&) = default;
  Process(Process&&) noexcept = default;
  Process& operator=(Process&&) noexcept = default;
  virtual ~Process();

  /// Starts the child. Errors: already started, closed, the current process is daemonic, the
  /// target cannot run under the start method, the current process is still bootstrapping.
  void start();

  /// What the child runs; by default the target with its arguments. Override it in a subclass.
  virtual void run();

  /// Waits for the child to end.
  void join();
  /// Waits at most `timeout`; check `exitcode()` afterwards to see whether it ended.
  template <class Rep, class Period>
  void join(std::chrono::duration<Rep, Period> timeout) {
    join_for(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  /// Waits at most `timeout_seconds` (Python's `join(timeout)`).
  void join(double timeout_seconds);

  /// Whether the child has started and not yet ended.
  bool is_alive() const;
  /// Asks the child to end: SIGTERM on POSIX, TerminateProcess on Windows.
  void terminate();
  /// Ends the child at once: SIGKILL on POSIX, TerminateProcess on Windows.
  void kill();
  /// Releases the process's resources; only allowed once it has ended. Most calls then fail.
  void close();

  /// The child's process id; empty before `start()`.
  std::optional<int> pid() const;
  /// Same as `pid()` (Python's `ident`).
  std::optional<int> ident() const { return pid(); }
  /// Empty while running (or before start), else 0 on return, the value given to
  /// `mproc::exit`, 1 after an uncaught exception, `-N` when ended by signal N.
  std::optional<int> exitcode() const;
  /// A handle that becomes ready when the child ends (see `mproc::platform::wait_sentinel`).
  native_handle sentinel() const;

  /// The process's name (`Process-N` by default). May be changed at any time.
  std::string name() const;
  void set_name(std::string name);
  /// Whether the process is daemonic: terminated when its parent exits normally, killed when its
  /// parent dies abruptly, not allowed to have children.
  bool daemon() const;
  /// Must be set before `start()`.
  void set_daemon(bool daemon);

  /// The start method this process will use or used ("fork", "spawn", "forkserver").
  std::string start_method() const;

  /// What Python's `repr(process)` shows, e.g. `<Process name='Process-1' pid=123 parent=100
  /// started daemon>` or `<Worker name='Worker-2' pid=124 parent=100 stopped exitcode=-SIGTERM>`;
  /// `std::cout << process` and fmt/spdlog (mproc/format.hpp) print the same.
  std::string repr() const;

 protected:
  /// For `ProcessClass<Derived>`: how to recreate the derived object in a spawned child.
  void set_subclass_entry(detail::trampoline_fn entry,
                          std::string (*save)(const Process&),
                          std::string type);

 private:
  friend struct detail::ProcessRecord;
  friend void detail::adopt_current_identity(Process&);
  friend std::vector<Process> active_children();
  explicit Process(std::shared_ptr<detail::ProcessRecord> record);

  void set_task(detail::Task task);
  void join_for(std::chrono::nanoseconds timeout);
  void check_not_closed() const;

  std::shared_ptr<detail::ProcessRecord> record_;
  detail::trampoline_fn subclass_entry_ = nullptr;
  std::string (*subclass_save_)(const Process&) = nullptr;
  std::string subclass_type_;
};

namespace detail {

template <class Derived>
void run_subclass(const void*, std::string_view state) {
  Derived process;
  wire::load(state, process);
  adopt_current_identity(process);
  process.run();
}

template <class Derived>
std::string save_subclass(const Process& process) {
  return wire::save(static_cast<const Derived&>(process));
}

}  // namespace detail

/// Base for `Process` subclasses that also run under spawn and forkserver: the child rebuilds a
/// default-constructed `Derived`, loads its state with `Derived::serialize`, and calls `run()`.
/// (A plain `Process` subclass works under fork only.)
///
///     struct Worker : mproc::ProcessClass<Worker> {
///       int n = 0;
///       void run() override { ... }
///       template <class A> void serialize(A& a) { a(n); }
///     };
template <class Derived>
class ProcessClass : public Process {
 public:
  ProcessClass() : ProcessClass(ProcessOptions{}) {}
  explicit ProcessClass(ProcessOptions options) : Process(std::move(options)) {
    static_assert(is_transferable_v<Derived>,
                  "ProcessClass<Derived> needs a Derived::serialize member (it may be empty)");
    set_subclass_entry(&detail::run_subclass<Derived>, &detail::save_subclass<Derived>,
                       detail::type_name(typeid(Derived)));
  }
};

/// The live children of the current process (finished ones are dropped, as in Python).
std::vector<Process> active_children();

}  // namespace mproc
