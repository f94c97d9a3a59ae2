#pragma once
// Where an exception re-thrown from another process came from. Every exception that a pool task
// (or a managed object's method) threw in another process carries it: a `RemoteError`, and the
// standard, mproc and registered types that are re-thrown as themselves (see
// remote_exceptions.hpp), so `catch (const mproc::RemoteOrigin& o)` sees them all.
#include <memory>
#include <string>
#include <utility>

namespace mproc {

/// A mixin of re-thrown remote exceptions: the remote type name, the original message, and the
/// process that threw it. Not a `std::exception`, so it never makes a `catch (std::exception&)`
/// ambiguous; catch the type itself, or this, or cross-cast with `dynamic_cast`.
class RemoteOrigin {
 public:
  struct Info {
    std::string type;     ///< the thrown object's type name, exactly (`app::QuotaExceeded`)
    std::string message;  ///< its `what()`
    std::string process_name;  ///< empty when unknown
    int pid = 0;               ///< 0 when unknown
  };

  explicit RemoteOrigin(Info info) : info_(std::make_shared<const Info>(std::move(info))) {}
  virtual ~RemoteOrigin() = default;

  /// The remote exception's exact type name (it may be a subclass of the type caught here).
  const std::string& remote_type() const noexcept { return info_->type; }
  /// The remote exception's `what()`.
  const std::string& remote_message() const noexcept { return info_->message; }
  /// The name of the process that threw it (`ForkPoolWorker-2`); empty when unknown.
  const std::string& process_name() const noexcept { return info_->process_name; }
  /// The pid of the process that threw it; 0 when unknown.
  int pid() const noexcept { return info_->pid; }

 private:
  // Shared, so that copying the exception (as `throw` and `exception_ptr` may) cannot throw.
  std::shared_ptr<const Info> info_;
};

}  // namespace mproc
