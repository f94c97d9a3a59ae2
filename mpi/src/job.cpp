// The launch role: under mpiexec, `mproc::init` initializes MPI; rank 0 goes on into `main` and
// the other ranks serve tasks (rank_server.cpp) and never return there.
#include "job.hpp"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "mproc/mpi.hpp"
#include "process/launch_roles.hpp"

namespace mproc::mpi {
namespace {

int job_rank = 0;
int job_size = 1;
bool mpi_started = false;

std::mutex router_mutex;
detail::Router* router_ptr = nullptr;  // never destroyed by a static destructor: finalize stops it

void launch_role() {
  if (!launched()) return;
  int provided = 0;
  // SERIALIZED: the router thread makes every MPI call after this one (and finalize, after
  // the router stopped), never two at once.
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "mproc: MPI_Init_thread failed under mpiexec\n");
    std::exit(1);
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    std::fprintf(stderr,
                 "mproc: this MPI library does not offer MPI_THREAD_SERIALIZED, which the MPI "
                 "backend needs (its calls come from one thread, not the main one)\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  mpi_started = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &job_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &job_size);
  if (job_rank != 0) detail::serve_as_worker_rank();
  std::atexit([] { detail::finalize_job(); });
}

// Registered before main in every program that links this file, which every use of the MPI
// backend does (launched(), and the router that ranks() needs, are here).
[[maybe_unused]] const bool registered = (mproc::detail::add_launch_role(&launch_role), true);

}  // namespace

bool launched() noexcept {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

int rank() noexcept { return job_rank; }
int world_size() noexcept { return job_size; }

namespace detail {

Router& rank0_router(Router::Receiver receive) {
  std::lock_guard lock(router_mutex);
  if (router_ptr == nullptr) router_ptr = new Router(std::move(receive));
  return *router_ptr;
}

void finalize_job() {
  if (!mpi_started) return;
  mpi_started = false;
  Router* router = nullptr;
  {
    std::lock_guard lock(router_mutex);
    router = router_ptr;
  }
  if (job_rank == 0) {
    if (router == nullptr) router = &rank0_router([](Message&&) {});
    for (int r = 1; r < job_size; ++r) router->send(r, 0, Kind::finalize, {});
  }
  if (router != nullptr) router->stop();
  MPI_Finalize();
}

}  // namespace detail
}  // namespace mproc::mpi
