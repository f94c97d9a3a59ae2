#pragma once
// `Pipe()` and `Connection`: message-oriented byte streams between processes (Python's
// `multiprocessing.connection.Connection`). Objects are serialized with cereal and carry their
// type's name, so receiving them as another type is a clear error rather than garbage.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "mproc/detail/handle_passing.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/detail/transfer_hint.hpp"
#include "mproc/errors.hpp"
#include "mproc/platform/native_handle.hpp"
#include "mproc/serialization.hpp"

namespace mproc {

namespace detail {
enum class FrameKind : std::uint8_t;
std::string type_name(const std::type_info& type);  // demangled
template <class T>
const std::string& type_tag() {
  // Leaked on purpose: a static std::string would register its destructor with atexit, under
  // glibc's atexit lock, and a child forked while another parent thread held that lock would
  // wait for it forever the first time it sends a T.
  static const std::string& tag = *new std::string(type_name(typeid(T)));
  return tag;
}
// A message for `Connection::send`: its type's name (2-byte length, then the name), then the
// cereal payload, written in one go.
template <class T>
std::string tagged_save(const std::string& tag, const T& value) {
  std::string out(2 + tag.size(), '\0');
  out[0] = static_cast<char>(tag.size() & 0xff);
  out[1] = static_cast<char>(tag.size() >> 8);
  tag.copy(out.data() + 2, tag.size());
  wire::save_into(out, value);
  return out;
}
}  // namespace detail

/// One end of a pipe or socket connection. Copies refer to the same end (as Python objects do);
/// the OS handle is closed by `close()` or when the last copy goes. Sending and receiving are
/// each serialized per end, so several threads may share one. A Connection passes to a child as
/// a `Process` argument under every start method.
class Connection {
 public:
  /// Not connected to anything; every operation throws.
  Connection() = default;

  /// Takes ownership of an open stream handle (a pipe or socket end).
  static Connection from_handle(native_handle handle, bool readable = true, bool writable = true);
  /// Takes ownership of a duplex end made of two handles: one to read, one to write.
  static Connection from_handles(native_handle read, native_handle write);

  /// Sends `obj` (any cereal-serializable type); the peer receives it with `recv<T>()`.
  template <class T>
  void send(const T& obj) {
    static_assert(detail::transferable_or_explained<T>(),
                  "mproc: Connection::send needs a type cereal can serialize (add a `serialize` "
                  "member to your type)");
    send_object(detail::tagged_save(detail::type_tag<T>(), obj));
  }

  /// Receives an object sent with `send<T>`. Blocks until one arrives; throws EOFError when the
  /// peer closed, SerializationError when the message is of another type (the message is kept
  /// for a `recv` of the right type).
  template <class T>
  T recv() {
    T value{};
    std::string payload = recv_object(detail::type_tag<T>());
    wire::load(std::string_view(payload).substr(object_header_size(payload)), value);
    return value;
  }

  /// Sends raw bytes as one message.
  void send_bytes(std::string_view data);
  void send_bytes(const void* data, std::size_t size);
  /// Sends `size` bytes of `data` from `offset` (Python's `send_bytes(buf, offset, size)`).
  void send_bytes(std::string_view data, std::size_t offset, std::optional<std::size_t> size = {});

  /// Receives one message sent with `send_bytes`. With `maxlength`, a longer message is an
  /// error that leaves the connection unreadable (as in Python).
  std::string recv_bytes(std::optional<std::size_t> maxlength = {});

  /// Receives one message into `buffer` from `offset`; returns its size. A message that does
  /// not fit throws BufferTooShort carrying the message.
  std::size_t recv_bytes_into(std::span<char> buffer, std::size_t offset = 0);
  std::size_t recv_bytes_into(void* buffer, std::size_t size, std::size_t offset = 0);

  /// Whether a message (or EOF) is waiting; waits up to `timeout` seconds, forever for nullopt.
  bool poll(std::optional<double> timeout = 0.0);

  /// Closes this end for every copy. Idempotent.
  void close();
  bool closed() const noexcept;
  bool readable() const noexcept;
  bool writable() const noexcept;
  /// The OS handle to wait on for reading (a descriptor; a CRT descriptor on Windows). On POSIX
  /// a duplex end writes through a second pipe of its own. Throws if closed.
  native_handle fileno() const;

  /// The largest message `recv` accepts, checked before anything is allocated (default 1 GiB).
  void set_max_message_size(std::size_t bytes);

  /// `<Connection(handle=5, readable, writable)>`, `<Connection(closed)>` (Python shows only
  /// an address).
  std::string repr() const;

  friend bool operator==(const Connection& a, const Connection& b) noexcept {
    return a.state_ == b.state_;
  }

  template <class Archive>
  void save(Archive& archive) const {
    bool separate_write = raw_write_handle() != invalid_handle;
    archive(detail::export_handle(raw_handle(), handle_kind::descriptor, "Connection"),
            readable(), writable(), separate_write);
    if (separate_write)
      archive(detail::export_handle(raw_write_handle(), handle_kind::descriptor, "Connection"));
    // A Pipe()'s end also carries its pipe's mailbox block (-1: it has none).
    std::int32_t mailbox_side = mailbox_in_index();
    archive(mailbox_side);
    if (mailbox_side >= 0)
      archive(detail::export_handle(mailbox_handle(), mailbox_handle_kind(), "Connection"), mailbox_size());
  }
  template <class Archive>
  void load(Archive& archive) {
    std::uint32_t index = 0;
    bool r = false, w = false, separate_write = false;
    archive(index, r, w, separate_write);
    native_handle read = detail::import_handle(index, "Connection");
    if (separate_write) {
      std::uint32_t write_index = 0;
      archive(write_index);
      *this = from_handles(read, detail::import_handle(write_index, "Connection"));
    } else {
      *this = from_handle(read, r, w);
    }
    std::int32_t mailbox_side = -1;
    archive(mailbox_side);
    if (mailbox_side >= 0) {
      std::uint32_t block_index = 0;
      std::uint64_t block_size = 0;
      archive(block_index, block_size);
      adopt_mailbox(detail::import_handle(block_index, "Connection"), block_size, mailbox_side);
    }
  }

 private:
  struct State;
  friend std::pair<Connection, Connection> Pipe(bool duplex);
  native_handle raw_handle() const noexcept;
  native_handle raw_write_handle() const noexcept;
  std::int32_t mailbox_in_index() const noexcept;
  native_handle mailbox_handle() const noexcept;
  static handle_kind mailbox_handle_kind() noexcept;
  std::uint64_t mailbox_size() const noexcept;
  void adopt_mailbox(native_handle block, std::uint64_t size, std::int32_t in_index);
  void send_object(const std::string& tagged_payload);
  void send_frame(detail::FrameKind kind, std::string_view payload);
  void write_frame_now(detail::FrameKind kind, std::string_view payload);
  std::pair<detail::FrameKind, std::string> next_frame(std::optional<std::size_t> maxlength);
  std::optional<std::pair<detail::FrameKind, std::string>> read_pipe_frame(std::optional<std::size_t> maxlength);
  bool ready_to_receive();
  std::optional<std::pair<detail::FrameKind, std::string>> take_pipe_ahead_of_mailbox();
  std::string recv_object(const std::string& tag);
  static std::size_t object_header_size(const std::string& payload);

  std::shared_ptr<State> state_;
};

/// Two connected ends (Python's `Pipe(duplex)`). With `duplex = false` the first end only
/// receives and the second only sends. Small messages between the ends pass through shared
/// memory when the reader is waiting for them; the pipe's descriptor still becomes readable
/// when a message waits for a reader that is not in `recv` (for `wait()` and `poll()`; a raw
/// select() on `fileno()` may rarely wake for a message that was already received).
std::pair<Connection, Connection> Pipe(bool duplex = true);

}  // namespace mproc
