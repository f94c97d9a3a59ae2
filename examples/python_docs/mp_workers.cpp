// CPython docs, multiprocessing, "An example showing how to use queues to feed tasks to a
// collection of worker processes and collect the results" (Doc/includes/mp_workers.py):
//
//   import time
//   import random
//
//   from multiprocessing import Process, Queue, current_process, freeze_support
//
//   #
//   # Function run by worker processes
//   #
//
//   def worker(input, output):
//       for func, args in iter(input.get, 'STOP'):
//           result = calculate(func, args)
//           output.put(result)
//
//   #
//   # Function used to calculate result
//   #
//
//   def calculate(func, args):
//       result = func(*args)
//       return '%s says that %s%s = %s' % \
//           (current_process().name, func.__name__, args, result)
//
//   #
//   # Functions referenced by tasks
//   #
//
//   def mul(a, b):
//       time.sleep(0.5*random.random())
//       return a * b
//
//   def plus(a, b):
//       time.sleep(0.5*random.random())
//       return a + b
//
//   #
//   #
//   #
//
//   def test():
//       NUMBER_OF_PROCESSES = 4
//       TASKS1 = [(mul, (i, 7)) for i in range(20)]
//       TASKS2 = [(plus, (i, 8)) for i in range(10)]
//
//       # Create queues
//       task_queue = Queue()
//       done_queue = Queue()
//
//       # Submit tasks
//       for task in TASKS1:
//           task_queue.put(task)
//
//       # Start worker processes
//       for i in range(NUMBER_OF_PROCESSES):
//           Process(target=worker, args=(task_queue, done_queue)).start()
//
//       # Get and print results
//       print('Unordered results:')
//       for i in range(len(TASKS1)):
//           print('\t', done_queue.get())
//
//       # Add more tasks using `put()`
//       for task in TASKS2:
//           task_queue.put(task)
//
//       # Get and print some more results
//       for i in range(len(TASKS2)):
//           print('\t', done_queue.get())
//
//       # Tell child processes to stop
//       for i in range(NUMBER_OF_PROCESSES):
//           task_queue.put('STOP')
//
//
//   if __name__ == '__main__':
//       freeze_support()
//       test()
//
// The functions travel in the queue as `mproc::function`s (see mp_tasks.hpp, with `calculate`,
// `mul` and `plus`). Python's 'STOP' is an empty function.
#include <iostream>
#include <string>
#include <vector>

#include "../example_args.hpp"
#include "mp_tasks.hpp"  // calculate, mul, plus

//
// Function run by worker processes
//

static void worker(mproc::Queue<Task> input, mproc::Queue<std::string> output) {
  for (;;) {
    auto [func, args] = input.get();
    if (!func) break;  // 'STOP'
    output.put(calculate(func, args));
  }
}

//
//
//

static void test() {
  const int NUMBER_OF_PROCESSES = 4;
  std::vector<Task> TASKS1 = tasks(MPROC_FUNCTION(mul), 20, 7);
  std::vector<Task> TASKS2 = tasks(MPROC_FUNCTION(plus), 10, 8);

  // Create queues
  mproc::Queue<Task> task_queue;
  mproc::Queue<std::string> done_queue;

  // Submit tasks
  for (const auto& task : TASKS1) task_queue.put(task);

  // Start worker processes
  std::vector<mproc::Process> workers;
  for (int i = 0; i < NUMBER_OF_PROCESSES; ++i) {
    workers.emplace_back(worker, task_queue, done_queue);
    workers.back().start();
  }

  // Get and print results
  std::cout << "Unordered results:" << std::endl;
  for (std::size_t i = 0; i < TASKS1.size(); ++i)
    std::cout << "\t " << done_queue.get() << std::endl;

  // Add more tasks using `put()`
  for (const auto& task : TASKS2) task_queue.put(task);

  // Get and print some more results
  for (std::size_t i = 0; i < TASKS2.size(); ++i)
    std::cout << "\t " << done_queue.get() << std::endl;

  // Tell child processes to stop
  for (int i = 0; i < NUMBER_OF_PROCESSES; ++i) task_queue.put(Task{});

  // Python joins its non-daemonic children as it exits; a C++ Process is joined explicitly
  // (its destructor would terminate a child still running).
  for (auto& w : workers) w.join();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  test();
}
