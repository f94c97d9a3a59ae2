// Pipe and Connection across processes, under every start method: objects and bytes, type
// checks, EOF, poll, wait, and bad frames.
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "mproc/platform/channel.hpp"
#include "support.hpp"

namespace {

struct Point {
  int x = 0;
  double y = 0;
  std::string label;
  template <class A>
  void serialize(A& a) {
    a(x, y, label);
  }
  bool operator==(const Point&) const = default;
};

// Echoes every Point back with x doubled until it receives x < 0.
void echo_points(mproc::Connection conn) {
  for (;;) {
    auto p = conn.recv<Point>();
    if (p.x < 0) return;
    p.x *= 2;
    conn.send(p);
  }
}

void send_seed_message(mproc::Connection conn) {
  conn.send(std::tuple<int, std::string, std::optional<int>>(1, "str", std::nullopt));
  conn.close();
}

void send_bytes_then_exit(mproc::Connection conn, std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7 + 3);
  conn.send_bytes(data);
}

// Sends its index once the parent says "go" on the control connection.
void send_on_signal(mproc::Connection control, mproc::Connection out, int index) {
  (void)control.recv<int>();
  out.send(index);
}

void wait_for_message(mproc::Connection conn) { (void)conn.recv<int>(); }

std::string pattern(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7 + 3);
  return data;
}

}  // namespace

TEST_CASE("pipe_objects_round_trip_to_child", "[pipe]") {
  auto [parent, child] = mproc::Pipe();
  mproc::Process p(echo_points, child);
  p.start();
  child.close();
  for (int i = 0; i < 100; ++i) {
    parent.send(Point{i, i * 0.5, std::string("p").append(std::to_string(i))});
    auto back = parent.recv<Point>();
    REQUIRE(back == Point{2 * i, i * 0.5, std::string("p").append(std::to_string(i))});
  }
  parent.send(Point{-1, 0, ""});
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("pipe_seed_example_then_eof", "[pipe]") {
  auto [parent_side, child_side] = mproc::Pipe();
  mproc::Process p(send_seed_message, child_side);
  p.start();
  child_side.close();  // Otherwise our own copy keeps the pipe open and EOF never comes.
  auto msg = parent_side.recv<std::tuple<int, std::string, std::optional<int>>>();
  CHECK(std::get<0>(msg) == 1);
  CHECK(std::get<1>(msg) == "str");
  CHECK_FALSE(std::get<2>(msg).has_value());
  test::join_or_fail(p);
  CHECK_THROWS_AS(parent_side.recv<int>(), mproc::EOFError);
}

TEST_CASE("pipe_simplex_ends_have_one_direction", "[pipe]") {
  auto [reader, writer] = mproc::Pipe(false);
  CHECK(reader.readable());
  CHECK_FALSE(reader.writable());
  CHECK(writer.writable());
  CHECK_FALSE(writer.readable());
  CHECK_THROWS_AS(reader.send(1), mproc::SystemError);
  CHECK_THROWS_AS(writer.recv<int>(), mproc::SystemError);
  mproc::Process p(send_bytes_then_exit, writer, std::size_t{5});
  p.start();
  writer.close();
  CHECK(reader.recv_bytes() == pattern(5));
  test::join_or_fail(p);
  CHECK_THROWS_AS(reader.recv_bytes(), mproc::EOFError);
}

TEST_CASE("pipe_large_bytes_from_child", "[pipe]") {
  auto [parent, child] = mproc::Pipe();
  const std::size_t size = 8 << 20;
  mproc::Process p(send_bytes_then_exit, child, size);
  p.start();
  child.close();
  CHECK(parent.recv_bytes() == pattern(size));
  test::join_or_fail(p);
}

TEST_CASE("pipe_type_mismatch_names_both_types_and_keeps_the_message", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  a.send(std::string("hello"));
  try {
    (void)b.recv<int>();
    FAIL("recv<int> of a string did not throw");
  } catch (const mproc::SerializationError& e) {
    std::string what = e.what();
    CHECK(what.find("int") != std::string::npos);
    CHECK(what.find("string") != std::string::npos);
  }
  CHECK(b.poll());
  CHECK_THROWS_AS(b.recv_bytes(), mproc::SerializationError);
  CHECK(b.recv<std::string>() == "hello");
  a.send_bytes("raw");
  CHECK_THROWS_AS(b.recv<std::string>(), mproc::SerializationError);
  CHECK(b.recv_bytes() == "raw");
}

TEST_CASE("pipe_bytes_offsets_and_recv_into", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  a.send_bytes("0123456789", 2, 5);
  CHECK(b.recv_bytes() == "23456");
  CHECK_THROWS_AS(a.send_bytes("0123", 3, 5), mproc::ValueError);
  a.send_bytes("abcdef");
  std::vector<char> buffer(10, '.');
  CHECK(b.recv_bytes_into(buffer, 2) == 6);
  CHECK(std::string(buffer.begin(), buffer.end()) == "..abcdef..");
  a.send_bytes("this does not fit");
  try {
    (void)b.recv_bytes_into(buffer, 0);
    FAIL("no BufferTooShort");
  } catch (const mproc::BufferTooShort& e) {
    CHECK(e.message() == "this does not fit");
  }
  a.send_bytes("");
  CHECK(b.recv_bytes().empty());
}

TEST_CASE("pipe_poll_waits_up_to_timeout", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  CHECK_FALSE(b.poll());
  CHECK_FALSE(b.poll(0.05));
  a.send(7);
  CHECK(b.poll(test::deadline_seconds));
  CHECK(b.recv<int>() == 7);
  a.close();
  CHECK(b.poll(test::deadline_seconds));  // EOF counts as ready: recv will not block.
  CHECK_THROWS_AS(b.recv<int>(), mproc::EOFError);
}

TEST_CASE("pipe_closed_end_is_a_clear_error", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  a.close();
  a.close();  // Idempotent.
  CHECK(a.closed());
  CHECK_THROWS_AS(a.send(1), mproc::SystemError);
  CHECK_THROWS_AS(a.recv<int>(), mproc::SystemError);
  CHECK_THROWS_AS(a.poll(), mproc::SystemError);
  CHECK_THROWS_AS(a.fileno(), mproc::SystemError);
  CHECK_THROWS_AS(b.send(1), mproc::EOFError);
  mproc::Connection never_opened;
  CHECK_THROWS_AS(never_opened.recv<int>(), mproc::SystemError);
  if (test::method() != "fork") {  // A forked child would inherit the closed end as it is.
    CHECK_THROWS_AS(mproc::Process(wait_for_message, a).start(), mproc::ValueError);
  }
}

TEST_CASE("pipe_oversized_message_is_refused_before_allocation", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  b.set_max_message_size(16);
  a.send_bytes(std::string(1000, 'x'));
  CHECK_THROWS_AS(b.recv_bytes(), mproc::SerializationError);
  // The stream lost its framing: the end stays unreadable instead of reading garbage.
  CHECK_THROWS_AS(b.recv_bytes(), mproc::SerializationError);
  auto [c, d] = mproc::Pipe();
  c.send_bytes(std::string(100, 'y'));
  CHECK_THROWS_AS(d.recv_bytes(50), mproc::SerializationError);
}

TEST_CASE("pipe_corrupted_and_truncated_frames", "[pipe]") {
  {
    auto [b, a] = mproc::Pipe(false);  // b reads what is written on a's handle
    const char junk[] = "this is not a frame at all";
    REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), junk, sizeof junk));
    CHECK_THROWS_AS(b.recv<int>(), mproc::SerializationError);
  }
  {
    auto [b, a] = mproc::Pipe(false);  // b reads what is written on a's handle
    // A valid header announcing 100 bytes, then only 10, then the writer goes away.
    const unsigned char header[12] = {'M', 'P', 'R', 'C', 1, 4, 0, 0, 100, 0, 0, 0};
    REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), header, sizeof header));
    REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), "0123456789", 10));
    a.close();
    try {
      (void)b.recv_bytes();
      FAIL("a truncated frame was accepted");
    } catch (const mproc::SerializationError& e) {
      CHECK(std::string(e.what()).find("truncated") != std::string::npos);
    }
  }
  {
    auto [b, a] = mproc::Pipe(false);  // b reads what is written on a's handle
    const unsigned char header[12] = {'M', 'P', 'R', 'C', 1, 4, 0, 0, 0xff, 0xff, 0xff, 0x7f};
    REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), header, sizeof header));
    CHECK_THROWS_AS(b.recv_bytes(), mproc::SerializationError);  // 2 GiB > the 1 GiB limit
  }
}

TEST_CASE("pipe_connection_cannot_travel_inside_a_message", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  auto [c, d] = mproc::Pipe();
  CHECK_THROWS_AS(a.send(c), mproc::ValueError);
}

TEST_CASE("wait_returns_the_ready_connections_among_many", "[pipe][wait]") {
  std::vector<mproc::Connection> readers, writers;
  for (int i = 0; i < 100; ++i) {  // More than Windows' 64-handle limit.
    auto [r, w] = mproc::Pipe(false);
    readers.push_back(r);
    writers.push_back(w);
  }
  CHECK(mproc::wait(readers, 0.05).empty());
  auto [control_parent, control_child] = mproc::Pipe();
  mproc::Process p(send_on_signal, control_child, writers[77], 77);
  p.start();
  control_parent.send(1);
  auto ready = mproc::wait(readers, test::deadline_seconds);
  REQUIRE(ready.size() == 1);
  CHECK(ready[0] == readers[77]);
  CHECK(ready[0].recv<int>() == 77);
  test::join_or_fail(p);
}

TEST_CASE("wait_mixes_connections_and_process_sentinels", "[pipe][wait]") {
  auto [parent, child] = mproc::Pipe();
  mproc::Process p(wait_for_message, child);
  p.start();
  auto [idle_reader, idle_writer] = mproc::Pipe(false);
  std::vector<mproc::Waitable> objects{idle_reader, p};
  CHECK(mproc::wait(objects, 0.05).empty());
  parent.send(1);  // The child returns.
  auto ready = mproc::wait(objects, test::deadline_seconds);
  REQUIRE(ready.size() == 1);
  CHECK(ready[0] == p);
  test::join_or_fail(p);
}
