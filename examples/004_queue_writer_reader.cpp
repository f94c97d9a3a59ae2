// Seed 004, "进程间通信": a writer puts A, B, C with random pauses; a reader loops forever and
// is terminated once the writer has been joined.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include "example_args.hpp"

namespace seed {  // `write` and `read` as in Python, apart from POSIX's.

void write(mproc::Queue<std::string> q) {
  std::printf("Process to write: %d\n", mproc::current_process().pid());
  std::fflush(stdout);
  std::mt19937 rng(std::random_device{}());
  std::uniform_real_distribution<double> random(0.0, 1.0);
  for (const char* value : {"A", "B", "C"}) {
    std::printf("Put %s to queue...\n", value);
    std::fflush(stdout);
    q.put(value);
    std::this_thread::sleep_for(std::chrono::duration<double>(random(rng)));  // time.sleep(random.random())
  }
}

void read(mproc::Queue<std::string> q) {
  std::printf("Process to read: %d\n", mproc::current_process().pid());
  std::fflush(stdout);
  for (;;) {
    std::string value = q.get(true);
    std::printf("Get %s from queue.\n", value.c_str());
    std::fflush(stdout);
  }
}

}  // namespace seed

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  // The parent creates the Queue and passes it to each child:
  mproc::Queue<std::string> q;
  mproc::Process pw(seed::write, q);
  mproc::Process pr(seed::read, q);
  pw.start();  // start the writer
  pr.start();  // start the reader
  pw.join();   // wait for the writer to end
  // The reader loops forever and cannot be joined; it has to be terminated:
  pr.terminate();
  pr.join();
}
