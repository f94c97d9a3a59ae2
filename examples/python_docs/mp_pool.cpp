// CPython docs, multiprocessing, "An example showing how to use a Pool"
// (Doc/includes/mp_pool.py):
//
//   import multiprocessing
//   import time
//   import random
//   import sys
//
//   #
//   # Functions used by test code
//   #
//
//   def calculate(func, args):
//       result = func(*args)
//       return '%s says that %s%s = %s' % (
//           multiprocessing.current_process().name,
//           func.__name__, args, result
//           )
//
//   def calculatestar(args):
//       return calculate(*args)
//
//   def mul(a, b):
//       time.sleep(0.5 * random.random())
//       return a * b
//
//   def plus(a, b):
//       time.sleep(0.5 * random.random())
//       return a + b
//
//   def f(x):
//       return 1.0 / (x - 5.0)
//
//   def pow3(x):
//       return x ** 3
//
//   def noop(x):
//       pass
//
//   #
//   # Test code
//   #
//
//   def test():
//       PROCESSES = 4
//       print('Creating pool with %d processes\n' % PROCESSES)
//
//       with multiprocessing.Pool(PROCESSES) as pool:
//           #
//           # Tests
//           #
//
//           TASKS = [(mul, (i, 7)) for i in range(10)] + \
//                   [(plus, (i, 8)) for i in range(10)]
//
//           results = [pool.apply_async(calculate, t) for t in TASKS]
//           imap_it = pool.imap(calculatestar, TASKS)
//           imap_unordered_it = pool.imap_unordered(calculatestar, TASKS)
//
//           print('Ordered results using pool.apply_async():')
//           for r in results:
//               print('\t', r.get())
//           print()
//
//           print('Ordered results using pool.imap():')
//           for x in imap_it:
//               print('\t', x)
//           print()
//
//           print('Unordered results using pool.imap_unordered():')
//           for x in imap_unordered_it:
//               print('\t', x)
//           print()
//
//           print('Ordered results using pool.map() --- will block till complete:')
//           for x in pool.map(calculatestar, TASKS):
//               print('\t', x)
//           print()
//
//           #
//           # Test error handling
//           #
//
//           print('Testing error handling:')
//
//           try:
//               print(pool.apply(f, (5,)))
//           except ZeroDivisionError:
//               print('\tGot ZeroDivisionError as expected from pool.apply()')
//           else:
//               raise AssertionError('expected ZeroDivisionError')
//
//           try:
//               print(pool.map(f, list(range(10))))
//           except ZeroDivisionError:
//               print('\tGot ZeroDivisionError as expected from pool.map()')
//           else:
//               raise AssertionError('expected ZeroDivisionError')
//
//           try:
//               print(list(pool.imap(f, list(range(10)))))
//           except ZeroDivisionError:
//               print('\tGot ZeroDivisionError as expected from list(pool.imap())')
//           else:
//               raise AssertionError('expected ZeroDivisionError')
//
//           it = pool.imap(f, list(range(10)))
//           for i in range(10):
//               try:
//                   x = next(it)
//               except ZeroDivisionError:
//                   if i == 5:
//                       pass
//               except StopIteration:
//                   break
//               else:
//                   if i == 5:
//                       raise AssertionError('expected ZeroDivisionError')
//
//           assert i == 9
//           print('\tGot ZeroDivisionError as expected from IMapIterator.next()')
//           print()
//
//           #
//           # Testing timeouts
//           #
//
//           print('Testing ApplyResult.get() with timeout:', end=' ')
//           res = pool.apply_async(calculate, TASKS[0])
//           while 1:
//               sys.stdout.flush()
//               try:
//                   sys.stdout.write('\n\t%s' % res.get(0.02))
//                   break
//               except multiprocessing.TimeoutError:
//                   sys.stdout.write('.')
//           print()
//           print()
//
//           print('Testing IMapIterator.next() with timeout:', end=' ')
//           it = pool.imap(calculatestar, TASKS)
//           while 1:
//               sys.stdout.flush()
//               try:
//                   sys.stdout.write('\n\t%s' % it.next(0.02))
//               except StopIteration:
//                   break
//               except multiprocessing.TimeoutError:
//                   sys.stdout.write('.')
//           print()
//           print()
//
//
//   if __name__ == '__main__':
//       multiprocessing.freeze_support()
//       test()
//
// The functions travel as `mproc::function`s (see mp_tasks.hpp, with `calculate`, `mul` and
// `plus`). C++ divides 1.0 by 0.0 without an error (it gives inf), so `f` throws a
// `ZeroDivisionError` of its own, registered with MPROC_REGISTER_EXCEPTION: the pool re-throws
// it in the caller as that type, and `catch (const ZeroDivisionError&)` is Python's
// `except ZeroDivisionError:`. `pow3` and `noop` are used only by the benchmarks that older
// versions of this file had, so they are left out.
#include <iostream>
#include <ranges>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "../example_args.hpp"
#include "mp_tasks.hpp"  // Task, calculate, mul, plus

/// Python's ZeroDivisionError (an ArithmeticError; std::domain_error is its nearest standard twin).
struct ZeroDivisionError : std::domain_error {
  using std::domain_error::domain_error;
};
MPROC_REGISTER_EXCEPTION(ZeroDivisionError);

/// Python's AssertionError: the example stops if a check fails.
struct AssertionError : std::logic_error {
  using std::logic_error::logic_error;
};

//
// Functions used by test code (calculate, mul and plus are in mp_tasks.hpp)
//

static std::string calculatestar(const Task& args) { return std::apply(calculate, args); }

static double f(int x) {
  if (x == 5) throw ZeroDivisionError("float division by zero");
  return 1.0 / (x - 5.0);
}

/// Runs `body`, which must throw ZeroDivisionError (Python's try/except/else blocks).
template <class Body>
static void expect_zero_division(const std::string& from, Body body) {
  try {
    body();
  } catch (const ZeroDivisionError&) {
    std::cout << "\tGot ZeroDivisionError as expected from " << from << std::endl;
    return;
  }
  throw AssertionError("expected ZeroDivisionError");
}

//
// Test code
//

static void test() {
  const int PROCESSES = 4;
  std::cout << "Creating pool with " << PROCESSES << " processes\n" << std::endl;

  {
    mproc::Pool pool(PROCESSES);
    //
    // Tests
    //

    std::vector<Task> TASKS = tasks(MPROC_FUNCTION(mul), 10, 7);
    for (const auto& task : tasks(MPROC_FUNCTION(plus), 10, 8)) TASKS.push_back(task);

    std::vector<mproc::AsyncResult<std::string>> results;
    for (const auto& [func, args] : TASKS)
      results.push_back(pool.apply_async(calculate, func, args));
    auto imap_it = pool.imap(calculatestar, TASKS);
    auto imap_unordered_it = pool.imap_unordered(calculatestar, TASKS);

    std::cout << "Ordered results using pool.apply_async():" << std::endl;
    for (auto& r : results) std::cout << "\t " << r.get() << std::endl;
    std::cout << std::endl;

    std::cout << "Ordered results using pool.imap():" << std::endl;
    for (const auto& x : imap_it) std::cout << "\t " << x << std::endl;
    std::cout << std::endl;

    std::cout << "Unordered results using pool.imap_unordered():" << std::endl;
    for (const auto& x : imap_unordered_it) std::cout << "\t " << x << std::endl;
    std::cout << std::endl;

    std::cout << "Ordered results using pool.map() --- will block till complete:" << std::endl;
    for (const auto& x : pool.map(calculatestar, TASKS)) std::cout << "\t " << x << std::endl;
    std::cout << std::endl;

    //
    // Test error handling
    //

    std::cout << "Testing error handling:" << std::endl;

    expect_zero_division("pool.apply()",
                         [&] { std::cout << mproc::repr(pool.apply(f, 5)) << std::endl; });
    expect_zero_division("pool.map()", [&] {
      std::cout << mproc::repr(pool.map(f, std::views::iota(0, 10))) << std::endl;
    });
    expect_zero_division("list(pool.imap())", [&] {
      std::vector<double> all;
      for (double x : pool.imap(f, std::views::iota(0, 10))) all.push_back(x);
      std::cout << mproc::repr(all) << std::endl;
    });

    auto it = pool.imap(f, std::views::iota(0, 10));
    int i = 0;
    for (; i < 10; ++i) {
      try {
        if (!it.next()) break;  // StopIteration
        if (i == 5) throw AssertionError("expected ZeroDivisionError");
      } catch (const ZeroDivisionError&) {
        // expected at i == 5; iteration goes on
      }
    }
    if (i != 10) throw AssertionError("assert i == 9");  // a C++ loop counter ends one further
    std::cout << "\tGot ZeroDivisionError as expected from IMapIterator.next()" << std::endl;
    std::cout << std::endl;

    //
    // Testing timeouts
    //

    std::cout << "Testing ApplyResult.get() with timeout: ";
    auto res = pool.apply_async(calculate, std::get<0>(TASKS[0]), std::get<1>(TASKS[0]));
    for (;;) {
      std::cout.flush();
      try {
        std::cout << "\n\t" << res.get(0.02);
        break;
      } catch (const mproc::TimeoutError&) {
        std::cout << '.';
      }
    }
    std::cout << std::endl;
    std::cout << std::endl;

    std::cout << "Testing IMapIterator.next() with timeout: ";
    auto it2 = pool.imap(calculatestar, TASKS);
    for (;;) {
      std::cout.flush();
      try {
        auto x = it2.next(0.02);
        if (!x) break;  // StopIteration
        std::cout << "\n\t" << *x;
      } catch (const mproc::TimeoutError&) {
        std::cout << '.';
      }
    }
    std::cout << std::endl;
    std::cout << std::endl;
  }  // the end of the `with` block: the pool is terminated
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  test();
}
