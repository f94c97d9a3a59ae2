// A Pipe()'s shared-memory mailboxes (runtime/src/pipe_mailbox.hpp) keep every promise of a
// plain pipe: order, EOF, readiness for poll() and wait(), and limits, across processes.
#include <string>
#include <vector>

#include "support.hpp"

namespace {

// Small messages go through the mailbox, big ones (over its 8 KiB) through the pipe.
std::string message_of(int i) {
  std::size_t size = i % 7 == 3 ? 100 * 1024 : i % 5 == 1 ? 9000 : static_cast<std::size_t>(i % 50);
  return std::to_string(i) + ":" + std::string(size, static_cast<char>('a' + i % 26));
}

void send_mixed_sizes(mproc::Connection out, int n) {
  for (int i = 0; i < n; ++i) out.send_bytes(message_of(i));
}

void echo_until_minus_one(mproc::Connection conn) {
  for (;;) {
    int v = conn.recv<int>();
    if (v == -1) return;
    conn.send(v);
  }
}

void send_one_and_close(mproc::Connection out, mproc::Connection go) {
  (void)go.recv<int>();
  out.send(std::string("last words"));
  out.close();
}

}  // namespace

TEST_CASE("pipe_mailbox_keeps_order_of_small_and_big_messages", "[pipe]") {
  auto [in, out] = mproc::Pipe(false);
  constexpr int n = 600;
  mproc::Process p(send_mixed_sizes, out, n);
  p.start();
  out.close();
  for (int i = 0; i < n; ++i) {
    if (i % 3 == 0) REQUIRE(in.poll(test::deadline_seconds));  // poll and recv alternate
    REQUIRE(in.recv_bytes() == message_of(i));
  }
  CHECK_THROWS_AS(in.recv_bytes(), mproc::EOFError);
  test::join_or_fail(p);
}

TEST_CASE("pipe_mailbox_round_trips_with_poll_and_wait_in_between", "[pipe][wait]") {
  auto [a, b] = mproc::Pipe();
  mproc::Process p(echo_until_minus_one, b);
  p.start();
  for (int i = 0; i < 300; ++i) {
    a.send(i);
    if (i % 2 == 0) {
      // A reader that is not in recv is rung: wait() and poll() see the message.
      auto ready = mproc::wait(std::vector<mproc::Connection>{a}, test::deadline_seconds);
      REQUIRE(ready.size() == 1);
      REQUIRE(a.poll(0.0));
    }
    REQUIRE(a.recv<int>() == i);
    // Nothing is left over: no message, and no doorbell that would pass for one.
    REQUIRE_FALSE(a.poll(0.0));
    REQUIRE(mproc::wait(std::vector<mproc::Connection>{a}, 0.0).empty());
  }
  a.send(-1);
  test::join_or_fail(p);
}

TEST_CASE("pipe_mailbox_message_then_eof", "[pipe]") {
  auto [in, out] = mproc::Pipe(false);
  auto [go_in, go_out] = mproc::Pipe(false);
  mproc::Process p(send_one_and_close, out, go_in);
  p.start();
  out.close();
  go_out.send(1);
  test::join_or_fail(p);  // the writer is gone, its message waits
  REQUIRE(in.poll(0.0));
  CHECK(in.recv<std::string>() == "last words");
  REQUIRE(in.poll(0.0));  // EOF is ready too
  CHECK_THROWS_AS(in.recv<std::string>(), mproc::EOFError);
}

TEST_CASE("pipe_mailbox_limits_apply_to_small_messages", "[pipe]") {
  auto [a, b] = mproc::Pipe();
  a.send_bytes(std::string(100, 'x'));  // fits the mailbox
  CHECK_THROWS_AS(b.recv_bytes(50), mproc::SerializationError);
  CHECK_THROWS_AS(b.recv_bytes(), mproc::SerializationError);  // unreadable from then on
}
