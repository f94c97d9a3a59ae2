// For the leak test: creates shared memory named argv[1] and never unlinks it, then waits to be
// killed. Its own resource tracker must remove the block once it is gone.
#include <cstdio>
#include <string>

#include <mproc/mproc.hpp>

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  if (argc < 2) return 2;
  mproc::SharedMemory shm(std::string(argv[1]), true, 4096);
  std::printf("created %s\n", shm.name().c_str());
  std::fflush(stdout);
  mproc::Event().wait();  // Until killed.
}
