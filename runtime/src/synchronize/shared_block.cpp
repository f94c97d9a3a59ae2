#include "mproc/platform/shared_memory.hpp"
#include "mproc/sharedctypes.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {

std::shared_ptr<SharedBlock> SharedBlock::create(std::size_t size) {
  std::shared_ptr<SharedBlock> b(new SharedBlock);
  platform::mapped_region region;
  throw_error(platform::create_region(std::max<std::size_t>(size, 1), region), "cannot create shared memory");
  b->handle_ = region.handle;
  b->data_ = region.address;
  b->mapped_ = region.size;
  b->size_ = size;
  return b;
}

std::shared_ptr<SharedBlock> SharedBlock::adopt(native_handle handle, std::size_t size) {
  std::shared_ptr<SharedBlock> b(new SharedBlock);
  platform::mapped_region region;
  throw_error(platform::map_region(handle, std::max<std::size_t>(size, 1), region),
              "cannot map shared memory received from another process");
  b->handle_ = region.handle;
  b->data_ = region.address;
  b->mapped_ = region.size;
  b->size_ = size;
  return b;
}

SharedBlock::~SharedBlock() {
  platform::mapped_region region{handle_, data_, mapped_};
  platform::release_region(region);
}

}  // namespace mproc::detail
