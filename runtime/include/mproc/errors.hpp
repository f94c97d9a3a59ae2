#pragma once
// The exceptions mproc throws. Each message says what happened and what to do about it.
#include <stdexcept>
#include <string>
#include <system_error>

#include "mproc/remote_origin.hpp"

namespace mproc {

/// Base of every mproc error (Python: the exceptions of `multiprocessing`).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A process could not be started, or an operation does not fit its state
/// (Python's `ProcessError` and the `AssertionError`s of `Process`).
class ProcessError : public Error {
 public:
  using Error::Error;
};

/// A process was started while the current process was still bootstrapping: a spawned child
/// re-entered `main` without calling `mproc::init` first (Python's bootstrapping RuntimeError).
class BootstrapError : public ProcessError {
 public:
  using ProcessError::ProcessError;
};

/// A value that cannot be used here: an unknown start method, a closed object, a setting given
/// at the wrong time (Python's `ValueError`).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// An operation did not finish in time (Python's `multiprocessing.TimeoutError`).
class TimeoutError : public Error {
 public:
  using Error::Error;
};

/// Data that cannot cross a process boundary: an argument that is not serializable under the
/// chosen start method, or a corrupted, truncated or oversized frame.
class SerializationError : public Error {
 public:
  using Error::Error;
};

/// The OS refused an operation; carries the OS error.
class SystemError : public Error {
 public:
  SystemError(std::error_code ec, const std::string& what)
      : Error(what + ": " + ec.message()), code_(ec) {}
  /// The underlying OS error.
  const std::error_code& code() const noexcept { return code_; }

 private:
  std::error_code code_;
};

/// An exception raised in another process, re-raised here with its type and message, when this
/// process cannot re-throw it as its own type: its type is neither standard, nor mproc's, nor
/// registered with `register_exception` (see remote_exceptions.hpp), nor derived from one.
class RemoteError : public Error, public RemoteOrigin {
 public:
  RemoteError(std::string type, std::string message)
      : RemoteError(RemoteOrigin::Info{std::move(type), std::move(message), {}, 0}) {}
  /// With where it came from.
  explicit RemoteError(const RemoteOrigin::Info& origin)
      : Error(origin.type + ": " + origin.message),
        RemoteOrigin(origin),
        type_(origin.type),
        message_(origin.message) {}
  /// The remote exception's type name.
  const std::string& type() const noexcept { return type_; }
  /// The remote exception's message.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string type_;
  std::string message_;
};

/// An operation that the object's state does not allow, such as submitting to an executor
/// that was shut down (Python's `RuntimeError`).
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// An executor cannot run tasks any more (Python's `concurrent.futures.BrokenExecutor`).
class BrokenExecutor : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

/// A pool of processes cannot run a task (Python's `concurrent.futures.process.BrokenProcessPool`).
/// Its subclasses say why: the pool broke (BrokenPoolError), was terminated
/// (PoolTerminatedError), or only the task's own worker died (WorkerLostError).
class BrokenProcessPool : public BrokenExecutor {
 public:
  using BrokenExecutor::BrokenExecutor;
};

/// A worker process died while it held a task. Only that task fails: the worker is replaced and
/// the pool or executor goes on (Python's executor breaks as a whole).
class WorkerLostError : public BrokenProcessPool {
 public:
  using BrokenProcessPool::BrokenProcessPool;
  WorkerLostError(const std::string& what, int exitcode)
      : BrokenProcessPool(what), exitcode_(exitcode), known_(true) {}
  /// The worker's exit code, negative for the signal that ended it (Process::exitcode); 0 when
  /// not known.
  int exitcode() const noexcept { return exitcode_; }
  bool exitcode_known() const noexcept { return known_; }

 private:
  int exitcode_ = 0;
  bool known_ = false;
};

/// A pool cannot run tasks any more: its initializer failed, or its workers kept dying as they
/// started (Python's pool would respawn them forever; `concurrent.futures` calls this
/// `BrokenProcessPool`, which it derives from).
class BrokenPoolError : public BrokenProcessPool {
 public:
  using BrokenProcessPool::BrokenProcessPool;
};

/// The pool was terminated (or destroyed, or its executor's workers terminated or killed) before
/// the task finished; Python's results would never become ready here.
class PoolTerminatedError : public BrokenProcessPool {
 public:
  using BrokenProcessPool::BrokenProcessPool;
};

/// The task's Future was cancelled (Python's `concurrent.futures.CancelledError`).
class CancelledError : public Error {
 public:
  using Error::Error;
};

/// A peer failed to prove it knows the shared key.
class AuthenticationError : public Error {
 public:
  using Error::Error;
};

/// The peer of a connection closed it: nothing more will arrive (Python's `EOFError`).
class EOFError : public Error {
 public:
  using Error::Error;
};

/// A message did not fit the buffer given to `recv_bytes_into`; the message is kept here
/// (Python's `BufferTooShort`, whose `args[0]` is the message).
class BufferTooShort : public Error {
 public:
  explicit BufferTooShort(std::string message)
      : Error("the buffer is too short for a message of " + std::to_string(message.size()) +
              " bytes; the message is available from BufferTooShort::message()"),
        message_(std::move(message)) {}
  /// The whole message that did not fit.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string message_;
};

/// `put` on a full queue without blocking, or after its timeout (Python's `queue.Full`).
class Full : public Error {
 public:
  using Error::Error;
};

/// `get` on an empty queue without blocking, or after its timeout (Python's `queue.Empty`).
class Empty : public Error {
 public:
  using Error::Error;
};

/// A key that a Manager dict does not hold (Python's `KeyError`).
class KeyError : public Error {
 public:
  using Error::Error;
};

/// An index outside a Manager list or array, or `pop` from an empty list (Python's
/// `IndexError`).
class IndexError : public Error {
 public:
  using Error::Error;
};

/// An attribute a Manager Namespace does not hold, or a method a managed object does not
/// expose (Python's `AttributeError`).
class AttributeError : public Error {
 public:
  using Error::Error;
};

/// A Barrier was broken (aborted, reset while processes waited, its action failed, or a wait
/// timed out), so waiting on it cannot succeed (Python's `threading.BrokenBarrierError`).
class BrokenBarrierError : public Error {
 public:
  using Error::Error;
};

/// Thrown by `mproc::exit(code)` to end a child process with `code` (Python's `SystemExit`).
/// Deliberately not derived from `std::exception`, so that `catch (const std::exception&)` in
/// user code does not swallow it, just as `except Exception` does not catch `SystemExit`.
struct SystemExit {
  int code = 0;
};

/// Ends the current process's target with exit code `code` (Python's `sys.exit(code)`): unwinds
/// the target, then the process exits with `code`.
[[noreturn]] inline void exit(int code) { throw SystemExit{code}; }

}  // namespace mproc
