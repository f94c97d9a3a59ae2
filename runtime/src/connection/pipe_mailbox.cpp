#include "connection/pipe_mailbox.hpp"

#include <cstring>
#include <new>

namespace mproc::detail {
namespace {
constexpr std::uint64_t block_magic = 0x6d70726f63706d62;  // "mprocpmb"
}  // namespace

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "mailboxes need lock-free atomics");

bool PipeMailbox::try_put(FrameKind message_kind, std::string_view payload) noexcept {
  if (payload.size() > mailbox_capacity || pipe_has_messages()) return false;
  std::uint32_t expected = empty;
  if (!slot.compare_exchange_strong(expected, writing, std::memory_order_acquire)) return false;
  kind = message_kind;
  size = static_cast<std::uint32_t>(payload.size());
  std::memcpy(data, payload.data(), payload.size());
  slot.store(full, std::memory_order_seq_cst);
  return true;
}

bool PipeMailbox::reader_needs_doorbell() noexcept {
  return reader_polling.load(std::memory_order_seq_cst) == 0;
}

std::pair<FrameKind, std::string> PipeMailbox::take() {
  std::pair<FrameKind, std::string> message{kind, std::string(data, size)};
  slot.store(empty, std::memory_order_release);
  return message;
}

bool PipeMailbox::stop_polling() noexcept {
  reader_polling.store(0, std::memory_order_seq_cst);
  return slot.load(std::memory_order_seq_cst) == full;
}

std::shared_ptr<SharedBlock> create_pipe_mailboxes() {
  std::shared_ptr<SharedBlock> block;
  try {
    block = SharedBlock::create(sizeof(PipeMailboxes));
  } catch (const std::exception&) {
    return nullptr;
  }
  auto* boxes = new (block->data()) PipeMailboxes();
  boxes->magic = block_magic;
  return block;
}

MailboxLink link_pipe_mailboxes(std::shared_ptr<SharedBlock> block, int in_index, bool readable,
                                bool writable) {
  if (block->size() < sizeof(PipeMailboxes) || (in_index != 0 && in_index != 1))
    throw ValueError("a Connection's mailbox block is not a pipe's (wrong size or side)");
  auto* boxes = static_cast<PipeMailboxes*>(block->data());
  if (boxes->magic != block_magic) throw ValueError("a Connection's mailbox block is not a pipe's");
  MailboxLink link;
  link.in_index = in_index;
  if (readable) link.in = &boxes->boxes[in_index];
  if (writable) link.out = &boxes->boxes[1 - in_index];
  link.block = std::move(block);
  return link;
}

}  // namespace mproc::detail
