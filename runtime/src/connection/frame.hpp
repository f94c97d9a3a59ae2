#pragma once
// The wire format's frames: a 12-byte header (magic "MPRC", version, kind, reserved, length)
// followed by a cereal payload. The length is checked against a limit before anything is
// allocated, so a corrupted or hostile header cannot make us allocate gigabytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

enum class FrameKind : std::uint8_t {
  bootstrap = 1,         ///< a child's task (spawn, forkserver)
  forkserver_setup = 2,  ///< the forkserver's endpoint and key
  object = 3,            ///< Connection.send: a type tag and a cereal payload
  bytes = 4,             ///< Connection.send_bytes: raw bytes
  queue_item = 5,        ///< an item stored in a Queue
  doorbell = 6,          ///< empty: a message waits in the pipe's mailbox (pipe_mailbox.hpp)
};

struct FrameHeader {
  FrameKind kind;
  std::size_t length;
};

inline constexpr std::size_t frame_header_size = 12;
inline constexpr std::uint8_t frame_version = 1;
inline constexpr std::size_t default_frame_limit = std::size_t{1} << 30;  // 1 GiB

/// Throws SerializationError if a frame of `length` bytes exceeds `limit` (checked before
/// anything is allocated for it).
void check_frame_length(std::size_t length, std::size_t limit);

/// Header + payload, ready to write.
std::string encode_frame(FrameKind kind, std::string_view payload);

/// Checks a header; returns the payload length. Throws SerializationError on a bad magic,
/// version or kind, or a length above `limit`.
std::size_t decode_frame_header(const unsigned char* header, FrameKind expected, std::size_t limit);

/// Checks a header's magic and version and returns its kind and length, without judging the
/// kind. Throws SerializationError as above.
FrameHeader parse_frame_header(const unsigned char* header, std::size_t limit);

/// Writes a header for a payload of `length` bytes into `out` (frame_header_size bytes).
void write_frame_header(unsigned char* out, FrameKind kind, std::size_t length);

/// Reads one whole frame of kind `expected` from `h` (blocking) and returns its payload.
/// Throws SerializationError on bad data or a peer that closed mid-frame, and on EOF before
/// the frame (with "closed" in the message).
std::string read_frame(native_handle h, FrameKind expected, std::size_t limit = default_frame_limit);

/// Writes a frame (blocking); throws SystemError on failure.
void write_frame(native_handle h, FrameKind kind, std::string_view payload);

}  // namespace mproc::detail
