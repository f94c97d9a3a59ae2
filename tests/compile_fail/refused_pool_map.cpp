// Pool::map and its kin with a function returning void: refused with mproc's one-line message
// (and nothing else). See CMakeLists.txt here.
#include <mproc/mproc.hpp>

#include <tuple>
#include <vector>

namespace {
void returns_nothing(int) {}
void returns_nothing2(int, int) {}
}  // namespace

void refused(mproc::Pool& pool) {
#if defined(REFUSED_pool_map_void)
  pool.map(returns_nothing, std::vector<int>{1, 2});
#elif defined(REFUSED_pool_imap_void)
  for (auto r : pool.imap_unordered(returns_nothing, std::vector<int>{1, 2})) (void)r;
#elif defined(REFUSED_pool_starmap_void)
  pool.starmap(returns_nothing2, std::vector<std::tuple<int, int>>{{1, 2}});
#endif
}
