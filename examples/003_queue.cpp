// Seed 003, "Queue": the child puts [1, 'str', None]; the parent joins it, then gets the list.
#include <cstdio>

#include "example_args.hpp"
#include "python_repr.hpp"

static void func(mproc::Queue<SeedList> q) { q.put({1, "str", std::nullopt}); }

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Queue<SeedList> q;
  mproc::Process p(func, q);
  p.start();
  p.join();
  std::printf("%s\n", python_repr(q.get()).c_str());
}
