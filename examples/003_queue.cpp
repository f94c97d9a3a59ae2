// Seed 003, "Queue": the child puts [1, 'str', None]; the parent joins it, then gets the list.
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "example_args.hpp"

// Python's list [1, 'str', None]: a vector of variants (std::monostate is None).
using SeedList = std::vector<std::variant<int, std::string, std::monostate>>;

static void func(mproc::Queue<SeedList> q) { q.put({1, std::string("str"), std::monostate{}}); }

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Queue<SeedList> q;
  mproc::Process p(func, q);
  p.start();
  p.join();
  std::printf("%s\n", mproc::repr(q.get()).c_str());
}
