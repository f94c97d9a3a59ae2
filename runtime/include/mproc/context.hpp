#pragma once
// Contexts: Python's `get_context(method)`, the `mproc` API bound to one start method (the
// start-method functions themselves are in start_method.hpp, included here).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mproc/pool.hpp"
#include "mproc/process.hpp"
#include "mproc/start_method.hpp"

namespace mproc {

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
