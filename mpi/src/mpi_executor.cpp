#include "mproc/mpi.hpp"

#include <utility>

namespace mproc {
namespace mpi {
namespace detail {
std::shared_ptr<mproc::detail::WorkerHost> host();  // rank_host.cpp
}

std::shared_ptr<mproc::detail::WorkerHost> ranks() { return detail::host(); }

}  // namespace mpi

namespace {
ExecutorOptions on_ranks(ExecutorOptions options) {
  options.host = mpi::ranks();
  return options;
}
}  // namespace

MPIPoolExecutor::MPIPoolExecutor(int max_workers)
    : MPIPoolExecutor(ExecutorOptions{.max_workers = max_workers}) {}

MPIPoolExecutor::MPIPoolExecutor(ExecutorOptions options)
    : ProcessPoolExecutor(on_ranks(std::move(options))) {}

}  // namespace mproc
