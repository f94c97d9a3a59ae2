#include "mproc/shared_memory.hpp"

#include "mproc/errors.hpp"
#include "mproc/platform/crypto.hpp"
#include "mproc/platform/named_memory.hpp"
#include "synchronize/resource_tracker.hpp"
#include "core/throw_error.hpp"

namespace mproc {

struct SharedMemory::State {
  std::string name;
  platform::mapped_region region;
  std::size_t size = 0;
  ~State() { platform::release_region(region); }
};

SharedMemory::SharedMemory(std::optional<std::string> name, bool create, std::size_t size)
    : state_(std::make_shared<State>()) {
  if (!create && (!name || name->empty()))
    throw ValueError("SharedMemory: give the name of an existing block, or create=true");
  if (create && size == 0) throw ValueError("SharedMemory: 'size' must be a positive number different from zero");
  if (name && !name->empty() && name->front() == '/') name = name->substr(1);  // Python accepts both
  if (create) {
    auto& tracker = detail::ResourceTracker::instance();
    bool generated = !name || name->empty();
    for (int attempt = 0;; ++attempt) {
      std::string n = generated ? "psm_" + platform::random_hex(4) : *name;
      // A name of our own making is registered before it exists: a process killed between
      // creating and registering would otherwise leave it behind for good. A name the caller
      // chose is registered after: it may be another program's, which we must never remove.
      if (generated) tracker.track(n);
      auto ec = platform::create_named_region(n, size, state_->region);
      if (ec && generated) tracker.untrack(n);
      if (ec == std::errc::file_exists && generated && attempt < 100) continue;  // Random clash.
      if (ec == std::errc::file_exists)
        throw SystemError(ec, "SharedMemory: a block named '" + n + "' already exists (FileExistsError)");
      detail::throw_error(ec, ("SharedMemory: cannot create '" + n + "'").c_str());
      state_->name = n;
      state_->size = size;
      break;
    }
    if (!generated) tracker.track(state_->name);
  } else {
    auto ec = platform::open_named_region(*name, state_->region);
    if (ec == std::errc::no_such_file_or_directory)
      throw SystemError(ec, "SharedMemory: no block named '" + *name + "' (FileNotFoundError)");
    detail::throw_error(ec, ("SharedMemory: cannot attach to '" + *name + "'").c_str());
    state_->name = *name;
    state_->size = state_->region.size;
  }
}

std::span<std::byte> SharedMemory::buf() const noexcept {
  if (!state_ || state_->region.address == nullptr) return {};
  return {static_cast<std::byte*>(state_->region.address), state_->size};
}

const std::string& SharedMemory::name() const noexcept {
  static const std::string none;
  return state_ ? state_->name : none;
}

std::size_t SharedMemory::size() const noexcept { return state_ ? state_->size : 0; }

void SharedMemory::close() noexcept {
  if (state_) platform::release_region(state_->region);
}

void SharedMemory::unlink() {
  if (!state_) return;
  auto ec = platform::remove_named_region(state_->name);
  if (ec == std::errc::no_such_file_or_directory)
    throw SystemError(ec, "SharedMemory: '" + state_->name + "' was already unlinked");
  detail::throw_error(ec, ("SharedMemory: cannot unlink '" + state_->name + "'").c_str());
  detail::ResourceTracker::instance().untrack(state_->name);
}

}  // namespace mproc
