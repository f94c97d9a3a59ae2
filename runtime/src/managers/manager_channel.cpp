#include "managers/manager_channel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>


namespace mproc::detail {

namespace {
constexpr std::size_t mailbox_capacity = 64 * 1024;
constexpr std::uint64_t on_socket = ~std::uint64_t{0};  // the message follows on the socket
constexpr std::uint64_t block_magic = 0x6d70726f636d6762;  // "mprocmgb"
}  // namespace

struct Mailbox {
  alignas(64) std::atomic<std::uint64_t> sequence;  ///< messages written so far
  alignas(64) std::atomic<std::uint32_t> sleeping;  ///< the reader sleeps on the socket
  std::uint64_t size;
  char data[mailbox_capacity];
};

struct ChannelBlock {
  std::uint64_t magic;
  Mailbox to_server;
  Mailbox to_client;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "mailboxes need lock-free atomics");

std::string ManagerChannel::create_block() {
  // A name SharedMemory makes itself: it is registered with the resource tracker before it
  // exists, so a client killed while it sets the block up leaves nothing behind.
  memory_ = SharedMemory(std::nullopt, true, sizeof(ChannelBlock));
  std::string name = memory_.name();
  auto* block = new (memory_.buf().data()) ChannelBlock();
  block->magic = block_magic;
  pending_ = block;
  return name;
}

void ManagerChannel::block_accepted(bool accepted) {
  if (pending_ == nullptr) return;
  try {
    memory_.unlink();
  } catch (const std::exception&) {
    // Windows has no names to remove; elsewhere the tracker removes it at exit.
  }
  if (accepted) {
    block_ = pending_;
  } else {
    pending_ = nullptr;
    memory_.close();
  }
}

void ManagerChannel::attach_block(const std::string& name) {
  SharedMemory memory(name);
  if (memory.size() < sizeof(ChannelBlock))
    throw ValueError("the offered block is too small for a manager channel");
  auto* block = reinterpret_cast<ChannelBlock*>(memory.buf().data());
  if (block->magic != block_magic) throw ValueError("the offered block is not a manager channel");
  memory_ = std::move(memory);
  pending_ = block;
}

void ManagerChannel::send(std::string_view message) {
  if (block_ == nullptr) {
    connection_.send_bytes(message);
    return;
  }
  Mailbox& box = side_ == Side::client ? block_->to_server : block_->to_client;
  bool fits = message.size() <= mailbox_capacity;
  if (fits) std::memcpy(box.data, message.data(), message.size());
  box.size = fits ? message.size() : on_socket;
  box.sequence.store(++sent_, std::memory_order_seq_cst);
  if (!fits) connection_.send_bytes(message);
  if (box.sleeping.exchange(0, std::memory_order_seq_cst) != 0) connection_.send_bytes("");
}

void ManagerChannel::wait_readable(const std::optional<std::chrono::steady_clock::time_point>& deadline) {
  if (!deadline) return;
  double left = std::chrono::duration<double>(*deadline - std::chrono::steady_clock::now()).count();
  if (!connection_.poll(std::max(0.0, left))) throw TimeoutError("the manager did not answer in time");
}

std::string ManagerChannel::next_socket_payload() {
  if (!socket_payloads_.empty()) {
    std::string message = std::move(socket_payloads_.front());
    socket_payloads_.pop_front();
    return message;
  }
  for (;;) {
    std::string message = connection_.recv_bytes();
    if (!message.empty()) return message;  // empty ones are doorbells
  }
}

std::string ManagerChannel::receive(std::chrono::nanoseconds max_spin,
                                    std::optional<std::chrono::milliseconds> timeout) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (timeout) deadline = std::chrono::steady_clock::now() + *timeout;
  auto spin = std::min(max_spin, spin_.current());
  if (block_ == nullptr) {
    if (!socket_payloads_.empty()) return next_socket_payload();
    if (spin.count() > 0 && !connection_.poll(0.0)) {
      if (spin_until_readable(connection_.fileno(), spin)) spin_.hit();
      else spin_.miss();
    }
    wait_readable(deadline);
    return connection_.recv_bytes();
  }
  Mailbox& box = side_ == Side::client ? block_->to_client : block_->to_server;
  std::uint64_t expected = received_ + 1;
  auto arrived = [&] { return box.sequence.load(std::memory_order_acquire) >= expected; };
  if (!arrived() && spin.count() > 0) {
    if (spin_until(arrived, spin)) spin_.hit();
    else spin_.miss();
  }
  while (!arrived()) {
    box.sleeping.store(1, std::memory_order_seq_cst);
    if (box.sequence.load(std::memory_order_seq_cst) >= expected) {
      box.sleeping.store(0, std::memory_order_relaxed);  // a doorbell may still come: ignored
      break;
    }
    wait_readable(deadline);
    std::string message = connection_.recv_bytes();  // a doorbell, or a big message's bytes
    if (!message.empty()) socket_payloads_.push_back(std::move(message));
  }
  received_ = expected;
  if (box.size == on_socket) return next_socket_payload();
  return std::string(box.data, box.size);
}

bool ManagerChannel::peer_gone() {
  try {
    while (connection_.poll(0.0)) {
      std::string message = connection_.recv_bytes();
      if (!message.empty()) socket_payloads_.push_back(std::move(message));
    }
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace mproc::detail
