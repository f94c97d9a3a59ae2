#pragma once
// The messages between a pool and one of its workers, over the worker's own duplex pipe. Each
// message is a batch, so a burst of tiny tasks costs one write and one read each way.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mproc/detail/task.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {

/// A function named so that a re-executed copy of the binary finds it (see code_cache.hpp).
struct CodeRef {
  std::string module;  ///< empty for the main executable
  std::uint64_t offset = 0;
  bool null = true;  ///< no function (a captureless lambda's target)

  template <class A>
  void serialize(A& a) {
    a(module, offset, null);
  }
};

/// Names `address` (null gives a null CodeRef), cached. ProcessError if no module holds it.
CodeRef locate_code_cached(const void* address);

struct WireTask {
  std::uint64_t id = 0;
  CodeRef trampoline;
  CodeRef target;
  std::string args;

  template <class A>
  void serialize(A& a) {
    a(id, trampoline, target, args);
  }
};

/// Parent to worker: tasks to run in order, or the request to stop after them.
struct TaskBatch {
  std::vector<WireTask> tasks;
  bool stop = false;

  template <class A>
  void serialize(A& a) {
    a(tasks, stop);
  }
};

enum class Outcome : std::uint8_t {
  value = 0,         ///< `payload` is the encoded result
  error = 1,         ///< the target threw: `payload` is the exception, by `encode_exception`
  ready = 2,         ///< the worker started and its initializer succeeded (id 0)
  init_failed = 3,   ///< the initializer threw: `payload` as for `error` (id 0)
};

struct WireResult {
  std::uint64_t id = 0;
  Outcome outcome = Outcome::value;
  std::string payload;
  std::uint64_t duration_ns = 0;  ///< how long the task ran, to size the worker's prefetch

  template <class A>
  void serialize(A& a) {
    a(id, outcome, payload, duration_ns);
  }
};

/// What a worker needs besides its pipe: the initializer and the task limit. The parent keeps
/// the initializer as a task and serializes its arguments while the worker is being started,
/// so that arguments owning OS handles (a Lock, a Queue, a Value) travel with it as they do
/// with a Process's arguments.
struct WorkerSettings {
  std::shared_ptr<const Task> initializer;  ///< parent side
  CodeRef initializer_trampoline;           ///< worker side, after loading
  CodeRef initializer_target;
  std::string initializer_args;
  std::uint64_t maxtasks = 0;  ///< 0: no limit
  /// An executor's worker: it may start processes of its own (it still dies with the pool's
  /// owner, armed when it started as a daemon), and its tasks can be asked to stop.
  bool executor = false;

  template <class A>
  void save(A& a) const {
    CodeRef trampoline, target;
    std::string args;
    if (initializer && initializer->trampoline != nullptr) {
      trampoline = locate_code_cached(reinterpret_cast<const void*>(initializer->trampoline));
      target = locate_code_cached(initializer->target);
      args = initializer->save_args();
    }
    a(trampoline, target, args, maxtasks, executor);
  }
  template <class A>
  void load(A& a) {
    a(initializer_trampoline, initializer_target, initializer_args, maxtasks, executor);
  }
};

}  // namespace mproc::detail
