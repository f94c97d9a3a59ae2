#pragma once
// The chaos run's workloads. Each runs rounds on its own thread until `stop` is set (at least
// one round: the warm-up runs each once with `stop` already set), checks every round's results
// and adds them to stats(). The processes they start are registered in `victims` for the chaos
// thread to kill.
#include <atomic>

#include "harness.hpp"

namespace chaos {

struct RunContext {
  const Options& options;
  Victims& victims;
  std::atomic<bool>& stop;
  bool warmup = false;
};

/// apply_async, map_async and imap_unordered on a Pool whose workers get killed.
void pool_workload(RunContext& ctx, int stream);
/// Producer children put into a Queue that this process drains; producers get killed.
void queue_workload(RunContext& ctx, int stream);
/// Request/response with an echo child over a duplex Pipe (send, then recv without polling);
/// the echo child gets killed.
void pipe_workload(RunContext& ctx, int stream);
/// A child runs the single-thread `x.send(i); y.recv()` loop on one Pipe (never killed: it
/// only has to finish).
void loopback_workload(RunContext& ctx, int stream);
/// Children increment a shared Value under its Lock; lock holders get killed.
void lock_workload(RunContext& ctx, int stream);
/// Children write a Manager dict (some writes under a manager Lock); writers and the manager's
/// server get killed, and a new manager is started after a killed one.
void manager_workload(RunContext& ctx, int stream);

}  // namespace chaos
