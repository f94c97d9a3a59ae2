// A job whose rank 2 is killed (SIGKILL, as by the OOM killer) in the middle of a task while
// rank 0 waits for it without a timeout: the job must end (Open MPI aborts it and names the
// rank), never hang.
#include <csignal>
#include <vector>

#include "mproc/mpi.hpp"
#include "mproc/mproc.hpp"

namespace {
int die_on_rank_2(int x) {
  if (mproc::mpi::rank() == 2) std::raise(SIGKILL);
  return x;
}
}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  mproc::MPIPoolExecutor ex;
  std::vector<mproc::Future<int>> fs;
  for (int i = 0; i < 100; ++i) fs.push_back(ex.submit(die_on_rank_2, i));
  for (auto& f : fs) (void)f.result();  // no timeout: only the job's end gets us out
  return 0;  // not reached: rank 2 took some of the tasks
}
