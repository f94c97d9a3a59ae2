#pragma once
// The shared-memory fast path of a `Pipe()`: one single-slot mailbox per direction, in a block
// of anonymous shared memory that travels with the connection's ends.
//
// A small message is copied into the mailbox and the reader, polling it, sees it within
// nanoseconds, without the two system calls and the wakeup of a pipe (a wakeup alone costs
// tens of microseconds on a virtual machine). Everything else still goes through the pipe, and
// the pipe still tells when there is something to read:
// - A writer uses the mailbox only when it is empty and every message sent through the pipe
//   has been delivered, so the mailbox always holds the oldest undelivered message.
// - A reader that is not polling (in the kernel, in `wait()`, or not receiving at all) is rung:
//   the writer also sends an empty doorbell frame through the pipe. So the pipe's descriptor
//   is readable whenever a message waits (select/poll/`wait()` work), and EOF and a closed
//   reader are seen as before.
// - Doorbells are skipped by the reader. One can arrive after its message was already taken
//   from the mailbox (reader and writer crossed): a stale doorbell only makes the descriptor
//   readable for nothing, and `poll()`/`wait()` drain it before answering.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connection/frame.hpp"
#include "mproc/sharedctypes.hpp"

namespace mproc::detail {

inline constexpr std::size_t mailbox_capacity = 8 * 1024;

/// One direction of a pipe.
struct PipeMailbox {
  enum Slot : std::uint32_t { empty = 0, writing = 1, full = 2 };

  alignas(64) std::atomic<std::uint32_t> slot;
  FrameKind kind;
  std::uint32_t size;
  /// Messages sent through the pipe (counted before they are written) and delivered by the
  /// reader. While they differ, writers leave the mailbox alone.
  alignas(64) std::atomic<std::uint64_t> piped;
  alignas(64) std::atomic<std::uint64_t> delivered;
  /// Set while the reader polls the mailbox; a writer rings only a reader that is not polling.
  alignas(64) std::atomic<std::uint32_t> reader_polling;
  alignas(64) char data[mailbox_capacity];

  bool has_message() const noexcept { return slot.load(std::memory_order_acquire) == full; }

  /// Writer: puts a message in if the mailbox may take it.
  bool try_put(FrameKind kind, std::string_view payload) noexcept;
  /// Writer, after try_put: whether the reader must be rung.
  bool reader_needs_doorbell() noexcept;
  /// Writer, before writing a message to the pipe.
  void count_piped() noexcept { piped.fetch_add(1, std::memory_order_seq_cst); }
  /// Whether a message sent through the pipe has not been delivered yet.
  bool pipe_has_messages() const noexcept { return piped_undelivered() != 0; }
  /// How many messages sent through the pipe have not been delivered yet.
  std::uint64_t piped_undelivered() const noexcept {
    return piped.load(std::memory_order_seq_cst) - delivered.load(std::memory_order_seq_cst);
  }

  /// Reader: takes the message out (call only when has_message()).
  std::pair<FrameKind, std::string> take();
  /// Reader: a message from the pipe is being delivered.
  void count_delivered() noexcept { delivered.fetch_add(1, std::memory_order_seq_cst); }
  /// Reader: polling starts or stops. Stopping answers whether a message came in meanwhile
  /// (checked after the flag is cleared, so a writer either sees the flag clear and rings, or
  /// its message is seen here).
  void start_polling() noexcept { reader_polling.store(1, std::memory_order_seq_cst); }
  bool stop_polling() noexcept;
};

/// Both directions of one Pipe(): `boxes[0]` is read by the first end, `boxes[1]` by the second.
struct PipeMailboxes {
  std::uint64_t magic;
  PipeMailbox boxes[2];
};

/// A connection end's view of its pipe's block.
struct MailboxLink {
  std::shared_ptr<SharedBlock> block;
  PipeMailbox* in = nullptr;   ///< read by this end (null if it only sends)
  PipeMailbox* out = nullptr;  ///< written by this end (null if it only receives)
  int in_index = -1;           ///< which of the block's boxes is `in`, for passing the end on
};

/// A new block for one Pipe(); null if shared memory cannot be had (the pipe then works
/// without the fast path).
std::shared_ptr<SharedBlock> create_pipe_mailboxes();

/// The link of one end: it reads `boxes[in_index]` and writes the other box. Throws
/// ValueError if the block is not a pipe's.
MailboxLink link_pipe_mailboxes(std::shared_ptr<SharedBlock> block, int in_index, bool readable,
                                bool writable);

}  // namespace mproc::detail
