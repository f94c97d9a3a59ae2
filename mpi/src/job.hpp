#pragma once
// This process's part in the MPI job: MPI initialized in `mproc::init` (the launch role), the
// router started when first needed, and MPI finalized when the program ends.
#include <cstdint>

#include "router.hpp"

namespace mproc::mpi::detail {

/// Rank 0: the router, started on first use with `receive` (later calls get the same one).
Router& rank0_router(Router::Receiver receive);

/// A worker rank's life after MPI_Init: serves pool sessions until rank 0 says finalize.
[[noreturn]] void serve_as_worker_rank();

/// Ends MPI in this process (sends rank 0's `finalize` to the others first).
void finalize_job();

}  // namespace mproc::mpi::detail
