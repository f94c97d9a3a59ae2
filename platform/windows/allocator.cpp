#include "mproc/platform/allocator.hpp"

namespace mproc::platform {

// The Windows heap keeps freed blocks for reuse by itself.
void keep_freed_memory_for_reuse() noexcept {}

}  // namespace mproc::platform
