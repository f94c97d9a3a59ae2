#include "connection/frame.hpp"

#include "mproc/errors.hpp"
#include "mproc/platform/channel.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

constexpr unsigned char magic[4] = {'M', 'P', 'R', 'C'};

void put_u32(unsigned char* p, std::uint32_t v) {  // Little-endian on every platform.
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

void check_frame_length(std::size_t length, std::size_t limit) {
  if (length > limit)
    throw SerializationError("frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                             std::to_string(limit) + " bytes");
}

std::string encode_frame(FrameKind kind, std::string_view payload) {
  if (payload.size() > UINT32_MAX)
    throw SerializationError("message of " + std::to_string(payload.size()) +
                             " bytes is larger than a frame can carry (4 GiB - 1)");
  std::string out(frame_header_size, '\0');
  auto* h = reinterpret_cast<unsigned char*>(out.data());
  std::copy(magic, magic + 4, h);
  h[4] = frame_version;
  h[5] = static_cast<unsigned char>(kind);
  put_u32(h + 8, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

void write_frame_header(unsigned char* h, FrameKind kind, std::size_t length) {
  if (length > UINT32_MAX)
    throw SerializationError("message of " + std::to_string(length) +
                             " bytes is larger than a frame can carry (4 GiB - 1)");
  std::copy(magic, magic + 4, h);
  h[4] = frame_version;
  h[5] = static_cast<unsigned char>(kind);
  h[6] = h[7] = 0;
  put_u32(h + 8, static_cast<std::uint32_t>(length));
}

FrameHeader parse_frame_header(const unsigned char* h, std::size_t limit) {
  if (!std::equal(magic, magic + 4, h))
    throw SerializationError("corrupted frame: bad magic (the peer is not speaking mproc's "
                             "wire format, or the stream lost its framing)");
  if (h[4] != frame_version)
    throw SerializationError("frame of wire-format version " + std::to_string(h[4]) +
                             ", expected " + std::to_string(frame_version) +
                             " (both sides must run the same mproc version)");
  if (h[5] < 1 || h[5] > static_cast<unsigned char>(FrameKind::doorbell))
    throw SerializationError("corrupted frame: unknown frame kind " + std::to_string(h[5]));
  std::size_t length = get_u32(h + 8);
  check_frame_length(length, limit);
  return {static_cast<FrameKind>(h[5]), length};
}

std::size_t decode_frame_header(const unsigned char* h, FrameKind expected, std::size_t limit) {
  FrameHeader header = parse_frame_header(h, limit);
  if (header.kind != expected)
    throw SerializationError("unexpected frame kind " + std::to_string(h[5]) + ", expected " +
                             std::to_string(static_cast<int>(expected)));
  return header.length;
}

std::string read_frame(native_handle h, FrameKind expected, std::size_t limit) {
  unsigned char header[frame_header_size];
  bool eof = false;
  auto ec = platform::read_exact(h, header, sizeof header, eof);
  if (eof) throw SerializationError("the peer closed the connection before sending a message");
  if (ec == std::errc::connection_aborted)
    throw SerializationError("truncated frame: the peer closed the connection mid-header");
  throw_error(ec, "cannot read a frame");
  std::string payload(decode_frame_header(header, expected, limit), '\0');
  ec = platform::read_exact(h, payload.data(), payload.size(), eof);
  if (eof || ec == std::errc::connection_aborted)
    throw SerializationError("truncated frame: the peer closed the connection mid-message");
  throw_error(ec, "cannot read a frame");
  return payload;
}

void write_frame(native_handle h, FrameKind kind, std::string_view payload) {
  std::string frame = encode_frame(kind, payload);
  throw_error(platform::write_all(h, frame.data(), frame.size()), "cannot write a frame");
}

}  // namespace mproc::detail
