// Seed 003, "Pipe": the child sends [1, 'str', None] on its end; the parent receives it.
// `--simplex` uses Pipe(duplex=false): the first end only receives, the second only sends.
#include <cstdio>

#include "example_args.hpp"
#include "python_repr.hpp"

static void func(mproc::Connection p) {
  p.send(SeedList{1, "str", std::nullopt});
  p.close();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  auto [parent_side, child_side] = mproc::Pipe(!has_flag(argc, argv, "--simplex"));
  mproc::Process p(func, child_side);
  p.start();
  std::printf("%s\n", python_repr(parent_side.recv<SeedList>()).c_str());
  p.join();
}
