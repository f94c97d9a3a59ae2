#pragma once
// `mproc::wait`: block until some of several connections, queues' readers or processes are
// ready (Python's `multiprocessing.connection.wait`). No limit on how many.
#include <optional>
#include <vector>

#include "mproc/connection.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc {

class Process;

/// Something `wait` can wait on: a Connection (ready when a message or EOF is waiting) or a
/// started Process (ready when it has ended, through its sentinel).
class Waitable {
 public:
  Waitable(const Connection& connection);  // NOLINT: implicit, as Python mixes them in one list
  Waitable(const Process& process);        // NOLINT

  /// The connection this refers to, or null for a process.
  const Connection* connection() const noexcept { return connection_ ? &*connection_ : nullptr; }
  native_handle handle() const noexcept { return handle_; }
  handle_kind kind() const noexcept { return kind_; }

  friend bool operator==(const Waitable& w, const Connection& c) noexcept {
    return w.connection_ && *w.connection_ == c;
  }
  friend bool operator==(const Waitable& a, const Waitable& b) noexcept {
    return a.handle_ == b.handle_ && a.kind_ == b.kind_;
  }
  bool operator==(const Process& p) const;

 private:
  std::optional<Connection> connection_;
  native_handle handle_ = invalid_handle;
  handle_kind kind_ = handle_kind::descriptor;
};

/// Waits until at least one of `objects` is ready, or `timeout` seconds pass (forever for
/// nullopt); returns the ready ones in their order in `objects` (empty on timeout).
std::vector<Waitable> wait(const std::vector<Waitable>& objects,
                           std::optional<double> timeout = std::nullopt);

/// The same for a list of connections only, returning connections.
std::vector<Connection> wait(const std::vector<Connection>& connections,
                             std::optional<double> timeout = std::nullopt);

}  // namespace mproc
