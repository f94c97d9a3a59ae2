// A Pipe()'s mailbox must never let doorbells pile up in the pipe, however the reader takes its
// messages, and must deliver data in the order it entered the connection, garbage included.
// (An acceptance run found a pipe that stopped for good after 5,456 small messages: each left a
// 12-byte doorbell that nobody read, until 64 KiB of them filled the pipe and blocked the writer.)
#include <cstdlib>
#include <string>

#include "mproc/platform/channel.hpp"
#include "support.hpp"

namespace {

// 1,000,000 as the issue asks; 20,000 under Wine, where a rung message costs ~1.5 ms (each
// pipe call is a round trip to the wineserver): still almost 4 times the count that used to
// hang. MPROC_TEST_PIPE_MESSAGES overrides (the sanitizer run uses 100,000).
int message_count() {
  if (const char* env = std::getenv("MPROC_TEST_PIPE_MESSAGES")) return std::atoi(env);
  return test::posix_build() ? 1000000 : 20000;
}

// The pattern of single-threaded request/response code: send, then receive, never polling in
// time for the message, so every message is rung.
void send_then_recv_in_one_thread(int n) {
  auto [a, b] = mproc::Pipe();
  for (int i = 0; i < n; ++i) {
    a.send(i);
    if (b.recv<int>() != i) mproc::exit(2);
  }
  // Nothing left behind: no message, no doorbell that would pass for one.
  if (b.poll(0.0)) mproc::exit(3);
}

// A writer whose reader sleeps on a semaphore before each recv (so it is never polling when a
// message arrives).
void send_then_release(mproc::Connection out, mproc::Semaphore sent, int n) {
  for (int i = 0; i < n; ++i) {
    out.send(i);
    sent.release();
  }
}

void raw_junk_then_message(mproc::Connection out) {
  const char junk[] = "not a frame";
  if (mproc::platform::write_all(out.fileno(), junk, sizeof junk)) mproc::exit(4);
  out.send(42);
}

}  // namespace

TEST_CASE("pipe_send_then_recv_in_one_thread_never_fills_the_pipe", "[pipe][doorbell]") {
  // In a child, under the start method of this run, with a deadline.
  mproc::Process p(send_then_recv_in_one_thread, message_count());
  p.start();
  test::join_or_fail(p, 600);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("pipe_reader_waiting_on_a_semaphore_before_each_recv_never_fills_the_pipe",
          "[pipe][doorbell]") {
  const int n = message_count();
  auto [in, out] = mproc::Pipe(false);
  mproc::Semaphore sent(0);
  mproc::Process p(send_then_release, out, sent, n);
  p.start();
  out.close();
  int received = 0;
  for (int i = 0; i < n; ++i) {
    if (!sent.acquire(true, test::deadline_seconds)) break;  // a stuck writer shows here
    if (in.recv<int>() != i) break;
    ++received;
  }
  CHECK(received == n);
  test::join_or_fail(p, 600);
  CHECK(p.exitcode() == 0);
  CHECK_THROWS_AS(in.recv<int>(), mproc::EOFError);
}

TEST_CASE("pipe_garbage_ahead_of_a_small_message_is_reported_first", "[pipe][doorbell]") {
  {
    auto [b, a] = mproc::Pipe(false);  // b reads what is written on a's handle
    const char junk[] = "this is not a frame at all";
    REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), junk, sizeof junk));
    a.send(42);  // small: it would go through the mailbox
    CHECK_THROWS_AS(b.recv<int>(), mproc::SerializationError);
    // The stream lost its framing: the message behind the garbage is never returned.
    CHECK_THROWS_AS(b.recv<int>(), mproc::SerializationError);
  }
  {
    auto [in, out] = mproc::Pipe(false);
    mproc::Process p(raw_junk_then_message, out);
    p.start();
    out.close();
    test::join_or_fail(p);
    REQUIRE(p.exitcode() == 0);
    CHECK_THROWS_AS(in.recv<int>(), mproc::SerializationError);
  }
}

TEST_CASE("pipe_raw_frame_ahead_of_a_small_message_is_delivered_first", "[pipe][doorbell]") {
  auto [b, a] = mproc::Pipe(false);
  // A whole, valid frame written around the library (as another implementation would), then
  // a message sent through it: they arrive in the order they entered the pipe.
  const unsigned char header[12] = {'M', 'P', 'R', 'C', 1, 4, 0, 0, 5, 0, 0, 0};
  REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), header, sizeof header));
  REQUIRE_FALSE(mproc::platform::write_all(a.fileno(), "first", 5));
  a.send_bytes(std::string("second"));
  CHECK(b.recv_bytes() == "first");
  CHECK(b.recv_bytes() == "second");
  CHECK_FALSE(b.poll(0.0));
}
