#pragma once
// Facts about the running process and its relatives: `current_process()`, `parent_process()`,
// `cpu_count()`.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mproc/detail/printable.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc {

/// The running process, as Python's `current_process()` shows it.
class CurrentProcess {
 public:
  /// `MainProcess` in the main program, the `Process` name in a child.
  std::string name() const;
  void set_name(std::string name);
  /// The process id.
  int pid() const;
  int ident() const { return pid(); }
  /// Whether this process was started as a daemonic child.
  bool daemon() const;
  /// `<_MainProcess name='MainProcess' parent=None started>` in the main program,
  /// `<Process name='Process-1' parent=100 started>` in a child, as Python prints it.
  std::string repr() const;
};

/// The running process.
CurrentProcess current_process();

/// The parent of a child process, as Python's `parent_process()` shows it.
class ParentProcess {
 public:
  int pid() const noexcept { return pid_; }
  int ident() const noexcept { return pid_; }
  const std::string& name() const noexcept { return name_; }
  /// Whether the parent is still running.
  bool is_alive() const;
  /// Waits for the parent to end (at most `timeout_seconds` if given).
  void join(std::optional<double> timeout_seconds = std::nullopt) const;
  /// A handle that becomes ready when the parent ends.
  native_handle sentinel() const noexcept { return sentinel_; }
  /// `<_ParentProcess name='MainProcess' parent=100 unknown>`, as Python prints it.
  std::string repr() const;

 private:
  friend std::optional<ParentProcess> parent_process();
  ParentProcess(int pid, std::string name, native_handle sentinel)
      : pid_(pid), name_(std::move(name)), sentinel_(sentinel) {}
  int pid_;
  std::string name_;
  native_handle sentinel_;
};

/// The parent process, or nothing in the main program.
std::optional<ParentProcess> parent_process();

/// The number of CPUs this process may use.
int cpu_count();

/// This process's id and its parent's (Python's `os.getpid()` and `os.getppid()`), for the
/// programs that print them; `parent_process()` is empty in the main process, `getppid()` is not.
int getpid();
int getppid();

}  // namespace mproc
