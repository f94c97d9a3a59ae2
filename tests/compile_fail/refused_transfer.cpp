// Values that no `serialize` member could make meaningful in another process: a function
// pointer, a raw pointer, a lambda. Each is refused with the advice that applies to it, not
// "add a `serialize` member" (see runtime/include/mproc/detail/transfer_hint.hpp and
// CMakeLists.txt here).
#include <mproc/mproc.hpp>

#include <tuple>
#include <utility>
#include <vector>

namespace {
int square(int x) { return x * x; }
int call(int (*f)(int), int x) { return f(x); }
int first(std::vector<int*> v) { return *v.front(); }
}  // namespace

void refused(mproc::Connection& conn, mproc::Pool& pool) {
  int value = 1;
  (void)value;
  (void)conn;
  (void)pool;
#if defined(REFUSED_queue_function_pointer)
  mproc::Queue<int (*)(int)> q;
  q.put(&square);
#elif defined(REFUSED_send_tuple_with_function_pointer)
  conn.send(std::tuple<int (*)(int), int>{&square, 2});
#elif defined(REFUSED_pool_function_pointer_argument)
  pool.apply_async(call, &square, 2);
#elif defined(REFUSED_send_raw_pointer)
  conn.send(&value);
#elif defined(REFUSED_pool_map_raw_pointers)
  pool.map(first, std::vector<std::vector<int*>>{});
#elif defined(REFUSED_send_capturing_lambda)
  conn.send([&value](int x) { return x + value; });
#elif defined(REFUSED_queue_pair_with_lambda)
  auto add = [value](int x) { return x + value; };
  mproc::Queue<std::pair<decltype(add), int>> q;
  q.put({add, 1});
#elif defined(REFUSED_function_of_capturing_lambda)
  mproc::function<int(int)> f = [value](int x) { return x + value; };
  (void)f;
#endif
}
