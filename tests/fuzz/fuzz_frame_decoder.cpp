// libFuzzer target: random bytes into every decoder that reads data from another process.
//  1. the frame header parser;
//  2. a Connection reading a stream of frames (through a real pipe), as bytes and as objects;
//  3. the cereal payload decoder (wire::load) into a few typical message types.
// Any exception other than mproc's documented ones, a crash, a hang or a huge allocation is a
// finding. Built with clang (-fsanitize=fuzzer,address,undefined) by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "connection/frame.hpp"
#include "mproc/connection.hpp"
#include "mproc/platform/channel.hpp"

namespace {

// A list of empty elements (Python's [None] * n) has its own length check: fuzzed too.
using Message = std::tuple<int, std::string, std::optional<int>, std::vector<double>,
                           std::map<std::string, std::vector<std::string>>, std::vector<std::monostate>>;

void decode_stream(const std::uint8_t* data, std::size_t size) {
  auto [reader, writer] = mproc::Pipe(false);
  // Pipes hold 64 KiB at least: the whole input fits without a reader running.
  (void)mproc::platform::write_all(writer.fileno(), data, size);
  writer.close();
  reader.set_max_message_size(1 << 16);
  for (int i = 0; i < 64; ++i) {
    try {
      if (i % 2 == 0) (void)reader.recv_bytes();
      else (void)reader.recv<Message>();
    } catch (const mproc::EOFError&) {
      return;
    } catch (const mproc::SerializationError&) {
      // Expected for most inputs; the end may stay unreadable, which the next call reports.
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 60000) return 0;
  if (size >= mproc::detail::frame_header_size) {
    try {
      (void)mproc::detail::parse_frame_header(data, 1 << 16);
    } catch (const mproc::SerializationError&) {
    }
  }
  try {
    Message m;
    mproc::wire::load(std::string_view(reinterpret_cast<const char*>(data), size), m);
  } catch (const mproc::SerializationError&) {
  }
  decode_stream(data, size);
  return 0;
}
