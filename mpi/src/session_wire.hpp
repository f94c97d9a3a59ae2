#pragma once
// What rank 0 and a worker rank say about a pool session besides its pipe's messages.
#include <cstdint>
#include <string>

#include "mproc/serialization.hpp"

namespace mproc::mpi::detail {

/// Rank 0 -> rank (Kind::start): serve one pool worker.
struct StartRequest {
  std::string fingerprint;  ///< rank 0's build: a rank of another build refuses
  bool executor = false;    ///< an executor's worker (tasks may be asked to stop)
  std::string settings;     ///< the pool's WorkerSettings, serialized

  template <class A>
  void serialize(A& a) {
    a(fingerprint, executor, settings);
  }
};

/// Rank -> rank 0 (Kind::ended): the worker returned.
struct SessionEnd {
  int exitcode = 0;           ///< mproc::exit's code, if a task called it
  std::uint64_t running = 0;  ///< the task it was running then (0: none)
  std::string refused;        ///< why it did not serve at all (another build)
  std::string host;           ///< the rank's machine and pid, for messages

  template <class A>
  void serialize(A& a) {
    a(exitcode, running, refused, host);
  }
};

}  // namespace mproc::mpi::detail
