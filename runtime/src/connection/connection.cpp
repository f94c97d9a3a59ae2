#include "mproc/connection.hpp"

#include <deque>
#include <mutex>

#include "connection/frame.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/pipe.hpp"
#include "connection/pipe_mailbox.hpp"
#include "connection/plain_pipe.hpp"
#include "core/spin_wait.hpp"
#include "core/throw_error.hpp"

namespace mproc {

struct Connection::State {
  native_handle handle = invalid_handle;        // reads, and writes unless write_handle is set
  native_handle write_handle = invalid_handle;  // a duplex end's own write pipe (POSIX)
  bool readable = true;
  bool writable = true;
  std::size_t max_message = detail::default_frame_limit;
  std::string broken;  // why the stream lost its framing; empty while it is fine
  // A message that a `recv` of the wrong kind or type read and gave back, so nothing is lost.
  std::optional<std::pair<detail::FrameKind, std::string>> pending;
  // A Pipe()'s shared-memory mailboxes (pipe_mailbox.hpp); none on other connections.
  detail::MailboxLink mailbox;
  // Messages read from the pipe while an older one waited in the mailbox, and whether the
  // pipe reached EOF; both are delivered after the mailbox's message.
  std::deque<std::pair<detail::FrameKind, std::string>> stashed;
  bool at_eof = false;
  bool large_writes = false;  // the write pipe's buffer was enlarged for big messages
  // How long a reader polls for a message before it sleeps in the kernel (see next_frame).
  detail::SpinBudget spin{std::chrono::microseconds(50)};
  std::mutex send_mutex;
  std::mutex recv_mutex;

  ~State() {
    platform::close_handle(write_handle);
    platform::close_handle(handle);
  }
  native_handle out() const { return write_handle != invalid_handle ? write_handle : handle; }
};

namespace {

[[noreturn]] void throw_closed() {
  throw SystemError(std::make_error_code(std::errc::bad_file_descriptor),
                    "the connection is closed (handle is closed)");
}

std::string kind_description(detail::FrameKind kind, const std::string& payload) {
  if (kind == detail::FrameKind::bytes) return "raw bytes (sent with send_bytes)";
  if (payload.size() >= 2) {
    std::size_t n = static_cast<unsigned char>(payload[0]) | (static_cast<unsigned char>(payload[1]) << 8);
    if (payload.size() >= 2 + n) return "an object of type " + payload.substr(2, n);
  }
  return "a malformed object message";
}

// Polls, briefly, for a message in the mailbox or the pipe: a reply that comes within
// microseconds is taken without sleeping in the kernel (waking a sleeping reader costs tens of
// microseconds on a virtual machine, several times a small message's round trip). The budget
// shrinks while polling finds nothing (see SpinBudget).
void poll_briefly(native_handle handle, detail::PipeMailbox* box, detail::SpinBudget& spin) {
  if (box == nullptr) {
    if (detail::readable_now(handle)) return;
    if (detail::spin_until_readable(handle, spin.current())) spin.hit();
    else spin.miss();
    return;
  }
  // The caller found the mailbox empty. The polling mark goes up before the first look, so a
  // message written from now on comes without a doorbell (a writer rings only a reader that is
  // not polling).
  box->start_polling();
  unsigned polls = 0;  // the pipe is checked now and then: it is a system call
  bool arrived = detail::spin_until(
      [&] { return box->has_message() || (++polls % 64 == 0 && detail::readable_now(handle)); },
      spin.current());
  if (box->stop_polling()) arrived = true;
  if (arrived) spin.hit();
  else spin.miss();
}

void check_length(std::size_t length, std::optional<std::size_t> maxlength, std::string& broken) {
  if (!maxlength || length <= *maxlength) return;
  broken = "a message of " + std::to_string(length) + " bytes exceeded maxlength " +
           std::to_string(*maxlength);
  throw SerializationError("bad message length: " + broken);
}

// For a message that came whole (from the mailbox, or stashed): the same limits as a header
// read from the pipe gets, with the same outcome (the end stays unreadable).
void check_whole_message(std::size_t length, std::size_t limit, std::optional<std::size_t> maxlength,
                         std::string& broken) {
  try {
    detail::check_frame_length(length, limit);
  } catch (const SerializationError& e) {
    broken = e.what();
    throw;
  }
  check_length(length, maxlength, broken);
}

}  // namespace

Connection Connection::from_handle(native_handle handle, bool readable, bool writable) {
  if (handle == invalid_handle) throw ValueError("Connection::from_handle: invalid handle");
  Connection c;
  c.state_ = std::make_shared<State>();
  c.state_->handle = handle;
  c.state_->readable = readable;
  c.state_->writable = writable;
  return c;
}

Connection Connection::from_handles(native_handle read, native_handle write) {
  Connection c = from_handle(read, true, true);
  c.state_->write_handle = write;
  return c;
}

native_handle Connection::raw_write_handle() const noexcept {
  return state_ ? state_->write_handle : invalid_handle;
}

native_handle Connection::raw_handle() const noexcept {
  return state_ ? state_->handle : invalid_handle;
}

bool Connection::closed() const noexcept { return !state_ || state_->handle == invalid_handle; }
bool Connection::readable() const noexcept { return state_ && state_->readable; }
bool Connection::writable() const noexcept { return state_ && state_->writable; }

std::string Connection::repr() const {
  if (closed()) return "<Connection(closed)>";
  std::string out = "<Connection(handle=" + std::to_string(static_cast<long long>(state_->handle));
  if (state_->readable) out += ", readable";
  if (state_->writable) out += ", writable";
  return out + ")>";
}

native_handle Connection::fileno() const {
  if (closed()) throw_closed();
  return state_->handle;
}

void Connection::set_max_message_size(std::size_t bytes) {
  if (!state_) throw_closed();
  state_->max_message = bytes;
}

void Connection::close() {
  if (!state_) return;
  std::scoped_lock lock(state_->send_mutex, state_->recv_mutex);
  platform::close_handle(state_->write_handle);
  platform::close_handle(state_->handle);
  state_->handle = invalid_handle;
  state_->write_handle = invalid_handle;
  state_->mailbox = {};
}

void Connection::send_bytes(const void* data, std::size_t size) {
  send_bytes(std::string_view(static_cast<const char*>(data), size));
}

void Connection::send_bytes(std::string_view data, std::size_t offset, std::optional<std::size_t> size) {
  if (offset > data.size()) throw ValueError("send_bytes: offset is past the end of the buffer");
  std::size_t n = size.value_or(data.size() - offset);
  if (n > data.size() - offset) throw ValueError("send_bytes: buffer length < offset + size");
  send_bytes(data.substr(offset, n));
}

void Connection::send_bytes(std::string_view data) { send_frame(detail::FrameKind::bytes, data); }

void Connection::send_object(const std::string& tagged_payload) {
  send_frame(detail::FrameKind::object, tagged_payload);
}

void Connection::send_frame(detail::FrameKind kind, std::string_view payload) {
  if (!state_) throw_closed();
  std::lock_guard<std::mutex> lock(state_->send_mutex);
  if (state_->handle == invalid_handle) throw_closed();
  if (!state_->writable) throw SystemError(std::make_error_code(std::errc::operation_not_permitted),
                                           "this end of the pipe only receives (Pipe(duplex=false))");
  if (detail::PipeMailbox* box = state_->mailbox.out) {
    if (box->try_put(kind, payload)) {
      // A reader that is not polling learns of the message from the pipe (and a closed reader
      // is seen here, as a failed write, just as without the mailbox).
      if (box->reader_needs_doorbell()) write_frame_now(detail::FrameKind::doorbell, {});
      return;
    }
    box->count_piped();
  }
  if (payload.size() >= 64 * 1024 && !state_->large_writes) {
    platform::expect_large_writes(state_->out());
    state_->large_writes = true;
  }
  write_frame_now(kind, payload);
}

void Connection::write_frame_now(detail::FrameKind kind, std::string_view payload) {
  unsigned char header[detail::frame_header_size];
  detail::write_frame_header(header, kind, payload.size());
  auto ec = platform::write_all2(state_->out(), header, sizeof header, payload.data(), payload.size());
  if (ec == std::errc::broken_pipe || ec == std::errc::connection_reset)
    throw EOFError("cannot send: the other end of the connection is closed");
  detail::throw_error(ec, "cannot send on the connection");
}

// The next message: one a mismatched `recv` gave back, else the mailbox's (always the oldest
// not yet delivered), else one stashed from the pipe, else the pipe's next. Caller holds
// recv_mutex.
std::pair<detail::FrameKind, std::string> Connection::next_frame(std::optional<std::size_t> maxlength) {
  State& s = *state_;
  if (s.handle == invalid_handle) throw_closed();
  if (!s.readable) throw SystemError(std::make_error_code(std::errc::operation_not_permitted),
                                     "this end of the pipe only sends (Pipe(duplex=false))");
  if (s.pending) {
    auto frame = std::move(*s.pending);
    s.pending.reset();
    return frame;
  }
  if (!s.broken.empty()) throw SerializationError("the connection is no longer readable: " + s.broken);
  detail::PipeMailbox* box = s.mailbox.in;
  for (;;) {
    if (box != nullptr && box->has_message()) {
      // What entered the pipe before this message goes first: its doorbell and older ones
      // (dropped, so they never pile up and block the writer), and bytes written to the pipe
      // behind the library's back (reported now if corrupt, not after the message).
      if (auto early = take_pipe_ahead_of_mailbox()) {
        check_whole_message(early->second.size(), s.max_message, maxlength, s.broken);
        return std::move(*early);
      }
      auto frame = box->take();
      check_whole_message(frame.second.size(), s.max_message, maxlength, s.broken);
      return frame;
    }
    if (!s.stashed.empty()) {
      auto frame = std::move(s.stashed.front());
      s.stashed.pop_front();
      box->count_delivered();
      check_whole_message(frame.second.size(), s.max_message, maxlength, s.broken);
      return frame;
    }
    if (s.at_eof) throw EOFError("the other end of the connection is closed: no more messages will arrive");
    poll_briefly(s.handle, box, s.spin);
    if (box != nullptr && box->has_message()) continue;
    auto frame = read_pipe_frame(maxlength);
    if (!frame) continue;  // a doorbell, or EOF
    if (box == nullptr) return std::move(*frame);
    if (box->has_message()) {  // written before this frame: it goes first
      s.stashed.push_back(std::move(*frame));
      continue;
    }
    box->count_delivered();
    return std::move(*frame);
  }
}

// Reads what the pipe holds right now, ahead of the mailbox's message: doorbells are dropped,
// corrupt data throws, EOF is noted (it is delivered after the mailbox's message), and
// messages that library writers sent through the pipe (counted in `piped`; a writer uses the
// mailbox only when the pipe owes nothing, so these came after it) are stashed behind it.
// A frame nobody counted was written to the descriptor around the library; it is returned,
// to be delivered first, since the pipe had it before the mailbox's message was taken.
// Caller holds recv_mutex.
std::optional<std::pair<detail::FrameKind, std::string>> Connection::take_pipe_ahead_of_mailbox() {
  State& s = *state_;
  detail::PipeMailbox* box = s.mailbox.in;
  while (!s.at_eof && detail::readable_now(s.handle)) {
    auto frame = read_pipe_frame({});
    if (!frame) continue;  // a doorbell, or EOF
    if (box->piped_undelivered() > s.stashed.size()) s.stashed.push_back(std::move(*frame));
    else return frame;
  }
  return std::nullopt;
}

// Reads one frame from the pipe (blocking): nullopt for a doorbell, or at EOF (then at_eof is
// set). Caller holds recv_mutex.
std::optional<std::pair<detail::FrameKind, std::string>> Connection::read_pipe_frame(
    std::optional<std::size_t> maxlength) {
  State& s = *state_;
  unsigned char header[detail::frame_header_size];
  bool eof = false;
  auto ec = platform::read_exact(s.handle, header, sizeof header, eof);
  if (eof) {
    s.at_eof = true;
    return std::nullopt;
  }
  if (ec == std::errc::connection_aborted) {
    s.broken = "the peer closed the connection in the middle of a message header";
    throw SerializationError("truncated message: " + s.broken);
  }
  if (ec == std::errc::connection_reset) throw EOFError("the other end of the connection was reset");
  detail::throw_error(ec, "cannot receive on the connection");
  detail::FrameHeader h{};
  try {
    h = detail::parse_frame_header(header, s.max_message);
  } catch (const SerializationError& e) {
    s.broken = e.what();
    throw;
  }
  if (h.kind == detail::FrameKind::doorbell && h.length == 0) return std::nullopt;
  if (h.kind != detail::FrameKind::object && h.kind != detail::FrameKind::bytes) {
    s.broken = "a frame of kind " + std::to_string(static_cast<int>(h.kind)) + " is not a message";
    throw SerializationError("corrupted stream: " + s.broken);
  }
  check_length(h.length, maxlength, s.broken);
  std::string payload;
  payload.resize(h.length);
  ec = platform::read_exact(s.handle, payload.data(), payload.size(), eof);
  if (eof || ec == std::errc::connection_aborted || ec == std::errc::connection_reset) {
    s.broken = "the peer closed the connection in the middle of a message";
    throw SerializationError("truncated message: " + s.broken);
  }
  detail::throw_error(ec, "cannot receive on the connection");
  return std::make_pair(h.kind, std::move(payload));
}

std::string Connection::recv_object(const std::string& tag) {
  if (!state_) throw_closed();
  std::lock_guard<std::mutex> lock(state_->recv_mutex);
  auto frame = next_frame({});
  bool match = false;
  if (frame.first == detail::FrameKind::object && frame.second.size() >= 2 + tag.size()) {
    std::size_t n = static_cast<unsigned char>(frame.second[0]) |
                    (static_cast<unsigned char>(frame.second[1]) << 8);
    match = n == tag.size() && frame.second.compare(2, n, tag) == 0;
  }
  if (!match) {
    std::string got = kind_description(frame.first, frame.second);
    state_->pending = std::move(frame);
    throw SerializationError("recv<" + tag + ">() received " + got +
                             "; the message is kept for a recv of the matching type");
  }
  return std::move(frame.second);
}

std::size_t Connection::object_header_size(const std::string& payload) {
  return 2 + (static_cast<unsigned char>(payload[0]) | (static_cast<unsigned char>(payload[1]) << 8));
}

std::string Connection::recv_bytes(std::optional<std::size_t> maxlength) {
  if (!state_) throw_closed();
  std::lock_guard<std::mutex> lock(state_->recv_mutex);
  auto frame = next_frame(maxlength);
  if (frame.first != detail::FrameKind::bytes) {
    std::string got = kind_description(frame.first, frame.second);
    state_->pending = std::move(frame);
    throw SerializationError("recv_bytes() received " + got +
                             "; the message is kept for a recv<T>() of that type");
  }
  return std::move(frame.second);
}

std::size_t Connection::recv_bytes_into(void* buffer, std::size_t size, std::size_t offset) {
  return recv_bytes_into(std::span<char>(static_cast<char*>(buffer), size), offset);
}

std::size_t Connection::recv_bytes_into(std::span<char> buffer, std::size_t offset) {
  if (offset > buffer.size()) throw ValueError("recv_bytes_into: offset is past the end of the buffer");
  std::string message = recv_bytes();
  if (message.size() > buffer.size() - offset) throw BufferTooShort(std::move(message));
  std::copy(message.begin(), message.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
  return message.size();
}

// True when recv would not block: a message waits, or the pipe is at EOF (or broken, which
// recv reports).
bool Connection::ready_to_receive() {
  State& s = *state_;
  if (s.handle == invalid_handle) throw_closed();
  if (!s.readable) throw SystemError(std::make_error_code(std::errc::operation_not_permitted),
                                     "this end of the pipe only sends (Pipe(duplex=false))");
  if (s.pending || !s.stashed.empty() || s.at_eof || !s.broken.empty()) return true;
  detail::PipeMailbox* box = s.mailbox.in;
  if (box == nullptr) return detail::readable_now(s.handle);
  for (;;) {
    if (box->has_message() || box->pipe_has_messages()) return true;
    // The pipe owes no message, so if it is readable it holds doorbells (or EOF): they are
    // taken, so that a stale one does not answer for a message already delivered.
    if (!detail::readable_now(s.handle)) return false;
    auto frame = read_pipe_frame({});
    if (frame) {  // a message sent through the pipe just now: kept for recv
      s.stashed.push_back(std::move(*frame));
      return true;
    }
    if (s.at_eof) return true;
  }
}

bool Connection::poll(std::optional<double> timeout) {
  if (!state_) throw_closed();
  State& s = *state_;
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now();
  if (timeout && *timeout > 0)
    deadline += std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(std::min(*timeout, 2.0e6)));
  for (;;) {
    native_handle handle = invalid_handle;
    bool has_mailbox = false;
    {
      // Read under the lock: a close() from another thread may reset them.
      std::lock_guard<std::mutex> lock(s.recv_mutex);
      if (ready_to_receive()) return true;
      handle = s.handle;
      has_mailbox = s.mailbox.in != nullptr;
      // A writer rings only a reader that is not polling: make sure none is left marked so
      // (by a poller that was killed, say) while this one sleeps on the pipe.
      if (has_mailbox) s.mailbox.in->stop_polling();
    }
    int ms = -1;
    if (timeout) {
      double left = std::chrono::duration<double, std::milli>(deadline - clock::now()).count();
      ms = left <= 0 ? 0 : static_cast<int>(std::min(left + 0.999, 2.0e9));
    }
    std::vector<std::size_t> ready;
    detail::throw_error(platform::wait_ready({{handle, handle_kind::descriptor}}, ms, ready),
                        "cannot poll the connection");
    if (ready.empty()) return false;
    if (!has_mailbox) return true;
    // Readable: a doorbell (perhaps a stale one), a piped message or EOF; the next round tells.
  }
}

std::int32_t Connection::mailbox_in_index() const noexcept {
  return state_ && state_->mailbox.block ? state_->mailbox.in_index : -1;
}

native_handle Connection::mailbox_handle() const noexcept { return state_->mailbox.block->handle(); }

handle_kind Connection::mailbox_handle_kind() noexcept { return detail::region_handle_kind(); }

std::uint64_t Connection::mailbox_size() const noexcept { return state_->mailbox.block->size(); }

void Connection::adopt_mailbox(native_handle block, std::uint64_t size, std::int32_t in_index) {
  state_->mailbox = detail::link_pipe_mailboxes(detail::SharedBlock::adopt(block, static_cast<std::size_t>(size)),
                                                in_index, state_->readable, state_->writable);
}

std::pair<Connection, Connection> Pipe(bool duplex) {
  auto ends = detail::plain_pipe(duplex);
  if (auto block = detail::create_pipe_mailboxes()) {
    ends.first.state_->mailbox = detail::link_pipe_mailboxes(block, 0, true, duplex);
    ends.second.state_->mailbox = detail::link_pipe_mailboxes(block, 1, duplex, true);
  }
  return ends;
}

namespace detail {

std::pair<Connection, Connection> plain_pipe(bool duplex) {
  platform::pipe_pair pair;
  detail::throw_error(platform::make_pipe(duplex, pair), "cannot create a pipe");
  platform::ignore_broken_pipe_signal();  // A closed peer is an EOFError, not a dead process.
  Connection first = pair.first_write != invalid_handle
                         ? Connection::from_handles(pair.first, pair.first_write)
                         : Connection::from_handle(pair.first, true, duplex);
  Connection second = pair.second_write != invalid_handle
                          ? Connection::from_handles(pair.second, pair.second_write)
                          : Connection::from_handle(pair.second, duplex, true);
  return {std::move(first), std::move(second)};
}

}  // namespace detail

}  // namespace mproc
