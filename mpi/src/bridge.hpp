#pragma once
// One pool session's pipe carried over MPI. The pool's code on either side (rank 0's PoolCore,
// a worker rank's run_pool_worker) keeps its Connection; the bridge holds the other end of it:
// one thread reads what the local side writes and hands it to the router, another writes what
// arrives for the session into it. `write` only queues, so the router never waits on a pipe
// (the local side may be busy running a task, or be the very thread that would read it).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "mproc/connection.hpp"
#include "router.hpp"

namespace mproc::mpi::detail {

class Bridge {
 public:
  /// Relays `relay_end` to `peer`'s session `session`.
  Bridge(Router& router, int peer, std::uint32_t session, Connection relay_end);
  /// Waits for the local side to close its end (the reader's EOF), then closes ours.
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  /// Queues a message for the local side (any thread; never blocks).
  void write(std::string body);

 private:
  Connection relay_end_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::string> queue_;
  bool closing_ = false;
  std::thread reader_;
  std::thread writer_;
};

}  // namespace mproc::mpi::detail
