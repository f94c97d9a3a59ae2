#pragma once
// Start methods and contexts: Python's `set_start_method`, `get_context` and friends.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mproc/pool.hpp"
#include "mproc/process.hpp"

namespace mproc {

/// Sets the default start method ("fork", "spawn" or "forkserver"). A second call is an error
/// unless `force` is true (Python's `RuntimeError: context has already been set`).
void set_start_method(std::string_view method, bool force = false);

/// The default start method; fixes it to the platform default if it was not set yet. With
/// `allow_none`, returns an empty string instead when it was not set.
std::string get_start_method(bool allow_none = false);

/// The start methods this platform offers, the default first.
std::vector<std::string> get_all_start_methods();

/// A context: the same API as the `mproc` namespace, bound to one start method.
class Context {
 public:
  /// The start method of this context.
  const std::string& get_start_method() const noexcept { return method_; }

  /// `Process` using this context's start method.
  template <class F, class... Args>
  ::mproc::Process Process(F&& target, Args&&... args) const {
    return ::mproc::Process(ProcessOptions{{}, {}, method_}, std::forward<F>(target),
                            std::forward<Args>(args)...);
  }
  template <class F, class... Args>
  ::mproc::Process Process(ProcessOptions options, F&& target, Args&&... args) const {
    options.start_method = method_;
    return ::mproc::Process(std::move(options), std::forward<F>(target),
                            std::forward<Args>(args)...);
  }

  /// `Pool` using this context's start method (Python's `ctx.Pool(...)`).
  ::mproc::Pool Pool(int processes = 0) const {
    PoolOptions options;
    options.processes = processes;
    return Pool(std::move(options));
  }
  ::mproc::Pool Pool(PoolOptions options) const {
    options.start_method = method_;
    return ::mproc::Pool(std::move(options));
  }

 private:
  friend Context get_context(std::string_view method);
  explicit Context(std::string method) : method_(std::move(method)) {}
  std::string method_;
};

/// The context for `method`, or for the default start method when `method` is empty.
/// An unknown or unavailable method is a `ValueError`.
Context get_context(std::string_view method = {});

}  // namespace mproc
