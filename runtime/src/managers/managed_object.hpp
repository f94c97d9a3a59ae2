#pragma once
// An object a manager's server holds, reached by method name with pre-encoded arguments.
// Builtin kinds keep their elements as the encoded bytes the clients sent, so the server
// needs no code for the element types (and serves clients built from any program).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mproc/errors.hpp"

namespace mproc::detail {

class ManagedObject;
class ManagerChannel;

/// Thrown inside a blocking method when its caller disconnected: the call is abandoned with
/// nothing taken, and no reply is sent.
struct CallerGone {};

/// Who is calling, for methods that block or that remember their caller (lock owners).
struct CallContext {
  ManagerChannel* channel = nullptr;
  std::uint64_t client = 0;  ///< one number per client connection
  /// Finds another object of the same server (a Condition's lock); null if there is none.
  std::function<std::shared_ptr<ManagedObject>(std::uint64_t)> find;
  /// Keeps a new object with one reference, for the proxy the caller makes from the reply
  /// (method_to_typeid, a Pool's apply_async); returns the reply: the encoded (id, kind).
  std::function<std::string(std::shared_ptr<ManagedObject>, const std::string& kind)> hold;

  /// Whether the caller went away (its connection closed while it waited for the reply).
  bool caller_gone() const;
};

class ManagedObject {
 public:
  virtual ~ManagedObject() = default;
  /// Runs `method`; returns the encoded result. Throws mproc errors for the caller.
  virtual std::string call(CallContext& context, std::string_view method,
                           std::vector<std::string>& args) = 0;
  /// Whether the reply to `method` hands something over that must not be lost with a caller
  /// that vanished (a queue item taken by `get`): the server then checks the caller first.
  virtual bool hands_over(std::string_view /*method*/) const { return false; }
  /// The reply to such a `method` could not be delivered (its caller vanished meanwhile); undo
  /// what would otherwise be lost.
  virtual void reply_lost(std::string_view /*method*/, std::string& /*payload*/) {}
  /// A client connection closed; release what it held (locks).
  virtual void client_gone(std::uint64_t /*client*/) {}
  /// The server is about to end its process: release what must not outlive it (shared-memory
  /// blocks of a SharedMemoryManager). Objects are not destroyed then (see serve_forever).
  virtual void server_stopping() noexcept {}
};

/// Makes an object of one kind from the creation arguments.
using ManagedMaker =
    std::function<std::shared_ptr<ManagedObject>(CallContext&, std::vector<std::string>& args)>;

/// The maker of each builtin kind ("dict", "list", "Queue", "Lock", ...).
const std::vector<std::pair<std::string, ManagedMaker>>& builtin_kinds();

/// Argument `index` of `method`, or a ValueError naming what was missing.
std::string& argument(std::vector<std::string>& args, std::size_t index,
                            std::string_view kind, std::string_view method);

[[noreturn]] void no_such_method(std::string_view kind, std::string_view method);

/// Waits on `cv` (with `lock` held) until `ready()` or `timeout` seconds (forever for none);
/// returns ready(). Checks every 50 ms whether the caller went away (throws CallerGone).
template <class Ready>
bool wait_for_caller(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                     std::optional<double> timeout, CallContext& context, Ready ready) {
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  if (timeout) {
    double seconds = *timeout < 0 ? 0 : *timeout;
    deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
  }
  constexpr auto slice = std::chrono::milliseconds(50);
  while (!ready()) {
    auto now = clock::now();
    if (deadline && now >= *deadline) return false;
    auto until = now + slice;
    if (deadline && *deadline < until) until = *deadline;
    cv.wait_until(lock, until);
    if (!ready() && context.caller_gone()) throw CallerGone{};
  }
  return true;
}

}  // namespace mproc::detail
