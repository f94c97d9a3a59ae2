#pragma once
// One client's connection to a manager's server, with a shared-memory fast path.
//
// Every manager call is a request and a reply. Through the kernel each costs a wakeup of the
// other side, which on a virtual machine is tens of microseconds. So a client on the same
// machine offers the server a small shared block with one mailbox per direction: a message is
// copied in and a sequence number bumped, and a reader polling the number sees it within
// nanoseconds. A reader stops polling after a short budget and sleeps on the socket; a writer
// that finds its reader asleep rings it with an empty socket message (a doorbell). Messages too
// big for a mailbox travel on the socket, announced in the mailbox. Without the block (a
// remote client, or the server could not attach) everything goes over the socket.
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "mproc/connection.hpp"
#include "mproc/shared_memory.hpp"
#include "core/spin_wait.hpp"

namespace mproc::detail {

struct ChannelBlock;

class ManagerChannel {
 public:
  enum class Side { client, server };

  ManagerChannel(Connection connection, Side side) : connection_(std::move(connection)), side_(side) {}
  ManagerChannel(const ManagerChannel&) = delete;
  ManagerChannel& operator=(const ManagerChannel&) = delete;

  /// Client: creates a block and returns its name, for the server to attach.
  std::string create_block();
  /// Client: the server's answer to the offer. The name is removed either way (both sides have
  /// the block mapped, or it is not used); from an accepted offer on, messages use the block.
  void block_accepted(bool accepted);
  /// Server: attaches to the block a client offered; throws if it cannot. Messages use it once
  /// `use_block()` is called (after the answer went out on the socket).
  void attach_block(const std::string& name);
  void use_block() noexcept { block_ = pending_; }

  void send(std::string_view message);
  /// The next message. Polls for a while (at most `max_spin`, adapted to how polling has
  /// fared) before sleeping. EOFError when the peer closed; TimeoutError when nothing came
  /// within `timeout` (the channel is then out of step: drop it).
  std::string receive(std::chrono::nanoseconds max_spin,
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  /// Whether the peer closed (its process died), while it is waiting for a reply and so sends
  /// nothing but perhaps a stale doorbell.
  bool peer_gone();

  Connection& connection() noexcept { return connection_; }

 private:
  std::string next_socket_payload();
  /// Throws TimeoutError if nothing is readable on the socket by `deadline` (if any).
  void wait_readable(const std::optional<std::chrono::steady_clock::time_point>& deadline);

  Connection connection_;
  Side side_;
  SharedMemory memory_;
  ChannelBlock* block_ = nullptr;    ///< in use
  ChannelBlock* pending_ = nullptr;  ///< offered or attached, not yet in use
  std::uint64_t received_ = 0;  ///< messages taken from the incoming mailbox
  std::uint64_t sent_ = 0;
  std::deque<std::string> socket_payloads_;
  SpinBudget spin_{std::chrono::microseconds(200)};  ///< big messages read while looking for doorbells
};

}  // namespace mproc::detail
