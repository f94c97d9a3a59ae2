#include "mproc/platform/allocator.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc, which the test below needs

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mproc::platform {

void keep_freed_memory_for_reuse() noexcept {
#if defined(__GLIBC__)
  // Blocks up to 32 MiB (glibc's own ceiling for its adaptive threshold) come from the heap, not
  // from mmap, and the heap is not trimmed before 128 MiB are free: chunk buffers are reused
  // instead of faulted in again.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

}  // namespace mproc::platform
