// Seed 001, set_start_method('spawn') + Queue: the child puts 'hello', the parent prints it.
#include <cstdio>
#include <string>

#include "example_args.hpp"

static void foo(mproc::Queue<std::string> q) { q.put("hello"); }

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  mproc::set_start_method("spawn");  // As the seed does; --start-method= overrides it below.
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--start-method=", 0) == 0) mproc::set_start_method(argv[i] + 15, true);
  mproc::Queue<std::string> q;
  mproc::Process p(foo, q);
  p.start();
  std::printf("%s\n", q.get().c_str());
  p.join();
}
