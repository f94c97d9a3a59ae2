#pragma once
// What a ProcessPoolExecutor shares with its futures: the pool core that runs the tasks, and
// the futures not yet started, for shutdown(cancel_futures).
#include <memory>
#include <mutex>
#include <vector>

#include "mproc/executor.hpp"
#include "pool/pool_core.hpp"

namespace mproc::detail {

class ExecutorCore {
 public:
  explicit ExecutorCore(ExecutorOptions options);

  std::shared_ptr<PoolCore> pool;
  double grace = 1.0;
  int max_workers = 0;

  std::mutex mutex;
  bool shut_down = false;
  /// Submitted futures, pruned of finished ones as it grows.
  std::vector<std::weak_ptr<FutureState>> futures;
  std::size_t prune_at = 1024;
};

}  // namespace mproc::detail
