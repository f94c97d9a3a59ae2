// CPython's old Doc/includes/mp_synchronize.py (Python 3 version, since removed), "processes":
//
//   import time
//   import sys
//   import random
//   from queue import Empty
//
//   import multiprocessing               # may get overwritten
//
//   #### TEST_VALUE
//
//   def value_func(running, mutex):
//       random.seed()
//       time.sleep(random.random()*4)
//
//       mutex.acquire()
//       print('\n\t\t\t' + str(multiprocessing.current_process()) + ' has finished')
//       running.value -= 1
//       mutex.release()
//
//   def test_value():
//       TASKS = 10
//       running = multiprocessing.Value('i', TASKS)
//       mutex = multiprocessing.Lock()
//
//       for i in range(TASKS):
//           p = multiprocessing.Process(target=value_func, args=(running, mutex))
//           p.start()
//
//       while running.value > 0:
//           time.sleep(0.08)
//           mutex.acquire()
//           print(running.value, end=' ')
//           sys.stdout.flush()
//           mutex.release()
//
//       print()
//       print('No more running processes')
//
//   #### TEST_QUEUE
//
//   def queue_func(queue):
//       for i in range(30):
//           time.sleep(0.5 * random.random())
//           queue.put(i*i)
//       queue.put('STOP')
//
//   def test_queue():
//       q = multiprocessing.Queue()
//
//       p = multiprocessing.Process(target=queue_func, args=(q,))
//       p.start()
//
//       o = None
//       while o != 'STOP':
//           try:
//               o = q.get(timeout=0.3)
//               print(o, end=' ')
//               sys.stdout.flush()
//           except Empty:
//               print('TIMEOUT')
//
//       print()
//
//   #### TEST_CONDITION
//
//   def condition_func(cond):
//       cond.acquire()
//       print('\t' + str(cond))
//       time.sleep(2)
//       print('\tchild is notifying')
//       print('\t' + str(cond))
//       cond.notify()
//       cond.release()
//
//   def test_condition():
//       cond = multiprocessing.Condition()
//
//       p = multiprocessing.Process(target=condition_func, args=(cond,))
//       print(cond)
//
//       cond.acquire()
//       print(cond)
//       cond.acquire()
//       print(cond)
//
//       p.start()
//
//       print('main is waiting')
//       cond.wait()
//       print('main has woken up')
//
//       print(cond)
//       cond.release()
//       print(cond)
//       cond.release()
//
//       p.join()
//       print(cond)
//
//   #### TEST_SEMAPHORE
//
//   def semaphore_func(sema, mutex, running):
//       sema.acquire()
//
//       mutex.acquire()
//       running.value += 1
//       print(running.value, 'tasks are running')
//       mutex.release()
//
//       random.seed()
//       time.sleep(random.random()*2)
//
//       mutex.acquire()
//       running.value -= 1
//       print('%s has finished' % multiprocessing.current_process())
//       mutex.release()
//
//       sema.release()
//
//   def test_semaphore():
//       sema = multiprocessing.Semaphore(3)
//       mutex = multiprocessing.RLock()
//       running = multiprocessing.Value('i', 0)
//
//       processes = [
//           multiprocessing.Process(target=semaphore_func,
//                                   args=(sema, mutex, running))
//           for i in range(10)
//           ]
//
//       for p in processes:
//           p.start()
//
//       for p in processes:
//           p.join()
//
//   #### TEST_JOIN_TIMEOUT
//
//   def join_timeout_func():
//       print('\tchild sleeping')
//       time.sleep(5.5)
//       print('\n\tchild terminating')
//
//   def test_join_timeout():
//       p = multiprocessing.Process(target=join_timeout_func)
//       p.start()
//
//       print('waiting for process to finish')
//
//       while 1:
//           p.join(timeout=1)
//           if not p.is_alive():
//               break
//           print('.', end=' ')
//           sys.stdout.flush()
//
//   #### TEST_EVENT
//
//   def event_func(event):
//       print('\t%r is waiting' % multiprocessing.current_process())
//       event.wait()
//       print('\t%r has woken up' % multiprocessing.current_process())
//
//   def test_event():
//       event = multiprocessing.Event()
//
//       processes = [multiprocessing.Process(target=event_func, args=(event,))
//                    for i in range(5)]
//
//       for p in processes:
//           p.start()
//
//       print('main is sleeping')
//       time.sleep(3.5)
//
//       print('main is setting event')
//       event.set()
//
//       for p in processes:
//           p.join()
//
//   #### TEST_SHAREDVALUES
//
//   def sharedvalues_func(values, arrays, shared_values, shared_arrays):
//       for i in range(len(values)):
//           v = values[i][1]
//           sv = shared_values[i].value
//           assert v == sv
//
//       for i in range(len(values)):
//           a = arrays[i][1]
//           sa = list(shared_arrays[i][:])
//           assert a == sa
//
//       print('Tests passed')
//
//   def test_sharedvalues():
//       values = [
//           ('i', 10),
//           ('h', -2),
//           ('d', 1.25)
//           ]
//       arrays = [
//           ('i', list(range(100))),
//           ('d', [0.25 * i for i in range(100)]),
//           ('H', list(range(1000)))
//           ]
//
//       shared_values = [multiprocessing.Value(id, v) for id, v in values]
//       shared_arrays = [multiprocessing.Array(id, a) for id, a in arrays]
//
//       p = multiprocessing.Process(
//           target=sharedvalues_func,
//           args=(values, arrays, shared_values, shared_arrays)
//           )
//       p.start()
//       p.join()
//
//       assert p.exitcode == 0
//
//   ####
//
//   def test(namespace=multiprocessing.process):
//       global multiprocessing
//
//       multiprocessing = namespace
//
//       for func in [test_value, test_queue, test_condition,
//                    test_semaphore, test_join_timeout, test_event,
//                    test_sharedvalues]:
//
//           print('\n\t######## %s\n' % func.__name__)
//           func()
//
//       ignore = multiprocessing.active_children()      # cleanup any old processes
//       if hasattr(multiprocessing, '_debug_info'):
//           info = multiprocessing._debug_info()
//           if info:
//               print(info)
//               raise ValueError('there should be no positive refcounts left')
//
//   if __name__ == '__main__':
//       multiprocessing.freeze_support()
//
//       assert len(sys.argv) in (1, 2)
//
//       if len(sys.argv) == 1 or sys.argv[1] == 'processes':
//           print(' Using processes '.center(79, '-'))
//           namespace = multiprocessing
//       elif sys.argv[1] == 'manager':
//           ...  (the same tests on a manager's objects, and on threads: not ported)
//
//       test(namespace)
//
// Differences: every sleep is `second` times Python's (`--sleep=S`, 1 by default); the children
// get `second` as an argument, since a spawned child does not run `main`. Each line is flushed
// (std::endl), so the lines of the processes come out in the order they were printed.
#include <chrono>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "../example_args.hpp"

static std::mt19937 generator(2008);  // Python's `random`, seeded: random_seed() reseeds it by pid

static void random_seed() { generator.seed(static_cast<unsigned>(mproc::getpid())); }

static double random_random() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

static void time_sleep(double seconds) {  // time.sleep
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

static void assert_(bool ok, const char* what) {  // Python's assert statement
  if (!ok) throw std::logic_error(std::string("AssertionError: ") + what);
}

//// TEST_VALUE

static void value_func(mproc::Value<int> running, mproc::Lock mutex, double second) {
  random_seed();
  time_sleep(random_random() * 4 * second);

  mutex.acquire();
  std::cout << "\n\t\t\t" << mproc::current_process() << " has finished" << std::endl;
  running = running.value() - 1;
  mutex.release();
}

static void test_value(double second) {
  const int TASKS = 10;
  mproc::Value<int> running(TASKS);
  mproc::Lock mutex;

  for (int i = 0; i < TASKS; ++i) {
    mproc::Process p(value_func, running, mutex, second);
    p.start();
  }

  while (running.value() > 0) {
    time_sleep(0.08 * second);
    mutex.acquire();
    std::cout << running.value() << ' ' << std::flush;
    mutex.release();
  }

  std::cout << std::endl;
  std::cout << "No more running processes" << std::endl;
}

//// TEST_QUEUE

using Item = std::variant<int, std::string>;  // i*i or 'STOP'

static void queue_func(mproc::Queue<Item> queue, double second) {
  for (int i = 0; i < 30; ++i) {
    time_sleep(0.5 * random_random() * second);
    queue.put(i * i);
  }
  queue.put(std::string("STOP"));
}

static void test_queue(double second) {
  mproc::Queue<Item> q;

  mproc::Process p(queue_func, q, second);
  p.start();

  Item o;
  while (o != Item(std::string("STOP"))) {
    try {
      o = q.get(true, 0.3 * second);
      // print(o, end=' ')
      std::visit([](const auto& v) { std::cout << v << ' ' << std::flush; }, o);
    } catch (const mproc::Empty&) {
      std::cout << "TIMEOUT" << std::endl;
    }
  }

  std::cout << std::endl;
}

//// TEST_CONDITION

static void condition_func(mproc::Condition cond, double second) {
  cond.acquire();
  std::cout << '\t' << cond << std::endl;
  time_sleep(2 * second);
  std::cout << "\tchild is notifying" << std::endl;
  std::cout << '\t' << cond << std::endl;
  cond.notify();
  cond.release();
}

static void test_condition(double second) {
  mproc::Condition cond;

  mproc::Process p(condition_func, cond, second);
  std::cout << cond << std::endl;

  cond.acquire();
  std::cout << cond << std::endl;
  cond.acquire();
  std::cout << cond << std::endl;

  p.start();

  std::cout << "main is waiting" << std::endl;
  cond.wait();
  std::cout << "main has woken up" << std::endl;

  std::cout << cond << std::endl;
  cond.release();
  std::cout << cond << std::endl;
  cond.release();

  p.join();
  std::cout << cond << std::endl;
}

//// TEST_SEMAPHORE

static void semaphore_func(mproc::Semaphore sema,
                           mproc::RLock mutex,
                           mproc::Value<int> running,
                           double second) {
  sema.acquire();

  mutex.acquire();
  running = running.value() + 1;
  std::cout << running.value() << " tasks are running" << std::endl;
  mutex.release();

  random_seed();
  time_sleep(random_random() * 2 * second);

  mutex.acquire();
  running = running.value() - 1;
  std::cout << mproc::current_process() << " has finished" << std::endl;
  mutex.release();

  sema.release();
}

static void test_semaphore(double second) {
  mproc::Semaphore sema(3);
  mproc::RLock mutex;
  mproc::Value<int> running(0);

  std::vector<mproc::Process> processes;
  for (int i = 0; i < 10; ++i)
    processes.emplace_back(semaphore_func, sema, mutex, running, second);

  for (auto& p : processes) p.start();

  for (auto& p : processes) p.join();
}

//// TEST_JOIN_TIMEOUT

static void join_timeout_func(double second) {
  std::cout << "\tchild sleeping" << std::endl;
  time_sleep(5.5 * second);
  std::cout << "\n\tchild terminating" << std::endl;
}

static void test_join_timeout(double second) {
  mproc::Process p(join_timeout_func, second);
  p.start();

  std::cout << "waiting for process to finish" << std::endl;

  while (true) {
    p.join(1 * second);
    if (!p.is_alive()) break;
    std::cout << ". " << std::flush;
  }
}

//// TEST_EVENT

static void event_func(mproc::Event event) {
  std::cout << '\t' << mproc::repr(mproc::current_process()) << " is waiting" << std::endl;
  event.wait();
  std::cout << '\t' << mproc::repr(mproc::current_process()) << " has woken up" << std::endl;
}

static void test_event(double second) {
  mproc::Event event;

  std::vector<mproc::Process> processes;
  for (int i = 0; i < 5; ++i) processes.emplace_back(event_func, event);

  for (auto& p : processes) p.start();

  std::cout << "main is sleeping" << std::endl;
  time_sleep(3.5 * second);

  std::cout << "main is setting event" << std::endl;
  event.set();

  for (auto& p : processes) p.join();
}

//// TEST_SHAREDVALUES

// Python's lists of (typecode, value) pairs; in C++ tuples of typed values ('i' int, 'h' short,
// 'd' double, 'H' unsigned short).
using Values = std::tuple<int, short, double>;
using Arrays = std::tuple<std::vector<int>, std::vector<double>, std::vector<unsigned short>>;
using SharedValues = std::tuple<mproc::Value<int>, mproc::Value<short>, mproc::Value<double>>;
using SharedArrays =
    std::tuple<mproc::Array<int>, mproc::Array<double>, mproc::Array<unsigned short>>;

template <class F>
static void for_i_in_range_3(F f) {  // for i in range(3), with i a constant (tuple index)
  [&]<std::size_t... i>(std::index_sequence<i...>) {
    (f(std::integral_constant<std::size_t, i>{}), ...);
  }(std::make_index_sequence<3>{});
}

static void sharedvalues_func(Values values,
                              Arrays arrays,
                              SharedValues shared_values,
                              SharedArrays shared_arrays) {
  for_i_in_range_3([&](auto i) {
    auto v = std::get<i>(values);
    auto sv = std::get<i>(shared_values).value();
    assert_(v == sv, "v == sv");
  });

  for_i_in_range_3([&](auto i) {
    const auto& a = std::get<i>(arrays);
    auto span = std::get<i>(shared_arrays).span();
    std::vector sa(span.begin(), span.end());
    assert_(a == sa, "a == sa");
  });

  std::cout << "Tests passed" << std::endl;
}

static void test_sharedvalues() {
  Values values{10, -2, 1.25};
  Arrays arrays;
  for (int i = 0; i < 100; ++i) std::get<0>(arrays).push_back(i);
  for (int i = 0; i < 100; ++i) std::get<1>(arrays).push_back(0.25 * i);
  for (int i = 0; i < 1000; ++i) std::get<2>(arrays).push_back(static_cast<unsigned short>(i));

  SharedValues shared_values{mproc::Value<int>(std::get<0>(values)),
                             mproc::Value<short>(std::get<1>(values)),
                             mproc::Value<double>(std::get<2>(values))};
  SharedArrays shared_arrays{mproc::Array<int>(std::get<0>(arrays)),
                             mproc::Array<double>(std::get<1>(arrays)),
                             mproc::Array<unsigned short>(std::get<2>(arrays))};

  mproc::Process p(sharedvalues_func, values, arrays, shared_values, shared_arrays);
  p.start();
  p.join();

  assert_(p.exitcode() == 0, "p.exitcode == 0");
}

////

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  double second = sleep_flag(argc, argv, 1.0);

  std::cout << std::string(31, '-') << " Using processes " << std::string(31, '-') << std::endl;

  const std::pair<const char*, void (*)(double)> tests[] = {
      {"test_value", test_value},
      {"test_queue", test_queue},
      {"test_condition", test_condition},
      {"test_semaphore", test_semaphore},
      {"test_join_timeout", test_join_timeout},
      {"test_event", test_event},
      {"test_sharedvalues", [](double) { test_sharedvalues(); }},
  };
  for (auto [name, func] : tests) {
    std::cout << "\n\t######## " << name << "\n" << std::endl;
    func(second);
  }

  auto ignore = mproc::active_children();  // cleanup any old processes
  (void)ignore;
}
