#pragma once
// What `mp_workers.py` and `mp_pool.py` both define: tasks `(func, args)` of the functions
// `mul` and `plus`, and `calculate`, which runs one and says who did it. Python's `func.__name__`
// is `func.name()`: the tasks hold `mproc::function`s made with MPROC_FUNCTION. The sleeps are
// short and fixed (0 to 40 ms) instead of Python's `time.sleep(0.5*random.random())`.
#include <chrono>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <mproc/mproc.hpp>

// A task is Python's `(func, args)`.
using Args = std::tuple<int, int>;
using Task = std::tuple<mproc::function<int(int, int)>, Args>;

//
// Function used to calculate result
//

inline std::string calculate(const mproc::function<int(int, int)>& func, const Args& args) {
  int result = std::apply(func, args);
  return mproc::current_process().name() + " says that " + func.name() + mproc::repr(args) + " = " +
         std::to_string(result);
}

//
// Functions referenced by tasks
//

inline void time_sleep(double seconds) {  // time.sleep
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

inline int mul(int a, int b) {
  time_sleep(0.01 * (a % 5));  // Python: time.sleep(0.5*random.random())
  return a * b;
}

inline int plus(int a, int b) {
  time_sleep(0.01 * (a % 5));
  return a + b;
}

/// Python's `[(func, (i, second)) for i in range(count)]`.
inline std::vector<Task> tasks(const mproc::function<int(int, int)>& func, int count, int second) {
  std::vector<Task> out;
  for (int i = 0; i < count; ++i) out.push_back({func, {i, second}});
  return out;
}
