// The client side of a manager's Pool: how a job is named for the server, and
// SyncManager::Pool.
#include "managers/pool_job_request.hpp"
#include "mproc/context.hpp"
#include "mproc/managers.hpp"

namespace mproc {
namespace detail {

std::vector<std::string> pool_job_request(pool_trampoline trampoline, const void* target,
                                          std::vector<std::string> chunks, bool is_map) {
  PoolJobRequest request{locate_code_cached(reinterpret_cast<const void*>(trampoline)),
                         locate_code_cached(target), std::move(chunks), is_map};
  return {wire::save(request)};
}

}  // namespace detail

PoolProxy SyncManager::Pool(int processes) const {
  // The workers start as this process would start its own: with its default start method.
  return PoolProxy(
      create_object("Pool", {detail::encode(processes), detail::encode(get_start_method())}));
}

}  // namespace mproc
