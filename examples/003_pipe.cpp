// Seed 003, "Pipe": the child sends [1, 'str', None] on its end; the parent receives it.
// `--simplex` uses Pipe(duplex=false): the first end only receives, the second only sends.
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "example_args.hpp"

// Python's list [1, 'str', None]: a vector of variants (std::monostate is None).
using SeedList = std::vector<std::variant<int, std::string, std::monostate>>;

static void func(mproc::Connection p) {
  p.send(SeedList{1, std::string("str"), std::monostate{}});
  p.close();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  auto [parent_side, child_side] = mproc::Pipe(!has_flag(argc, argv, "--simplex"));
  mproc::Process p(func, child_side);
  p.start();
  std::printf("%s\n", mproc::repr(parent_side.recv<SeedList>()).c_str());
  p.join();
}
